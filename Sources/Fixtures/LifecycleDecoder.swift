import JSON
import ServiceModel
/// Reads and checks the fixture members that are not AWS's: `lifecycle` and `outcome`.
enum LifecycleDecoder {
    /// Members a job with a lifecycle must not have: the clock computes them.
    static let computedMembers = [
        "lastModifiedTime", "endTime", "jobExpirationTime", "message",
        "processedRecordCount", "successRecordCount", "errorRecordCount",
    ]
    static let phaseKeys = ["status", "for", "polls", "message", "processedRecordCount", "successRecordCount", "errorRecordCount"]

    /// The job's behaviour and every problem with its lifecycle members, with their paths. With
    /// problems, the behaviour is only good for telling a static job from one on the clock.
    static func decode(_ job: JSONValue, at path: ValuePath) -> (JobBehaviour, [Violation]) {
        var violations: [Violation] = []
        let lifecycle = job["lifecycle"]
        let outcome = job["outcome"]
        if lifecycle == nil, outcome == nil, job["status"] != nil { return (.static, []) }

        if job["status"] != nil {
            violations.append(
                Violation(
                    path.appending("status"),
                    .other(
                        "a job with a lifecycle or outcome takes its status from the clock: remove status, or remove lifecycle and outcome to serve the job as written")))
        }
        for name in computedMembers where job[name] != nil {
            violations.append(
                Violation(
                    path.appending(name),
                    .other(
                        "computed from the job's lifecycle: remove it, or give the job a status to serve it as written")))
        }
        let total = job["totalRecordCount"]?.int64Value ?? LifecycleSpec.defaultTotalRecordCount

        if let lifecycle {
            if outcome != nil {
                violations.append(Violation(path.appending("outcome"), .other("outcome picks the default lifecycle: a job with a lifecycle cannot have one")))
            }
            let (spec, problems) = decodePhases(lifecycle, total: total, at: path.appending("lifecycle"))
            return (.lifecycle(spec), violations + problems)
        }
        guard let outcome else { return (.defaultLifecycle(.completed), violations) }
        guard case .string(let text) = outcome, let chosen = LifecycleOutcome(rawValue: text) else {
            let allowed = LifecycleOutcome.allCases.map(\.rawValue).joined(separator: ", ")
            violations.append(Violation(path.appending("outcome"), .other("must be one of \(allowed)")))
            return (.defaultLifecycle(.completed), violations)  // refused with the violation; only its kind counts
        }
        return (.defaultLifecycle(chosen), violations)
    }

    private static func decodePhases(_ value: JSONValue, total: Int64, at path: ValuePath) -> (LifecycleSpec, [Violation]) {
        guard case .array(let elements) = value, !elements.isEmpty else {
            return (LifecycleSpec(phases: []), [Violation(path, .other("expected a non-empty array of phases such as {\"status\": \"Submitted\", \"for\": \"90s\"}"))])
        }
        var violations: [Violation] = []
        var phases: [PhaseSpec] = []
        for (index, element) in elements.enumerated() {
            let phasePath = path.appending(index: index)
            let isLast = index == elements.count - 1
            guard let phase = decodePhase(element, isLast: isLast, total: total, at: phasePath, &violations) else { continue }
            if phase.status == .expired {
                violations.append(
                    Violation(
                        phasePath.appending("status"),
                        .other(
                            "Expired is not a phase: a job becomes Expired by itself when its timeout passes while it is Submitted, Validating or Scheduled")))
            } else if index == 0, phase.status != .submitted {
                violations.append(Violation(phasePath.appending("status"), .other("a job starts Submitted: the first phase is Submitted")))
            } else if let previous = phases.last, !previous.status.possibleNext.contains(phase.status) {
                let next = previous.status.possibleNext.map(\.rawValue)
                let options =
                    next.isEmpty
                    ? "\(previous.status.rawValue) is terminal: it must be the last phase" : "\(previous.status.rawValue) is followed by \(next.joined(separator: ", "))"
                violations.append(
                    Violation(
                        phasePath.appending("status"),
                        .other(
                            "AWS does not move a job from \(previous.status.rawValue) to \(phase.status.rawValue) (\(options))")))
            }
            phases.append(phase)
        }
        if violations.isEmpty { violations = countViolations(phases, total: total, at: path) }
        return (LifecycleSpec(phases: phases), violations)
    }

    /// Record counts that phases set never go down, and the counts a Completed or PartiallyCompleted
    /// phase keeps from before it fit that end.
    private static func countViolations(_ phases: [PhaseSpec], total: Int64, at path: ValuePath) -> [Violation] {
        var violations: [Violation] = []
        var last: (index: Int, processed: Int64, success: Int64, errors: Int64)?
        for (index, phase) in phases.enumerated() {
            if let processed = phase.processedRecordCount, let success = phase.successRecordCount, let errors = phase.errorRecordCount {
                if let last, processed < last.processed || success < last.success || errors < last.errors {
                    violations.append(
                        Violation(
                            path.appending(index: index),
                            .other(
                                "record counts never go down: lifecycle[\(last.index)] has processed \(last.processed), success \(last.success), error \(last.errors)")))
                }
                last = (index, processed, success, errors)
            } else if phase.status == .inProgress, phase.length != .final {
                last = nil  // rises to what the next phase needs
            } else if let last, phase.status == .completed, last.processed != total {
                violations.append(
                    Violation(
                        path.appending(index: index),
                        .other(
                            "a Completed job has processed all \(total) records, but lifecycle[\(last.index)] leaves it at \(last.processed)")))
            } else if let last, phase.status == .partiallyCompleted, last.processed == total {
                violations.append(
                    Violation(
                        path.appending(index: index),
                        .other(
                            "a PartiallyCompleted job has processed fewer than its \(total) records, but lifecycle[\(last.index)] leaves it at \(total)")))
            }
        }
        return violations
    }

    private static func decodePhase(_ value: JSONValue, isLast: Bool, total: Int64, at path: ValuePath, _ violations: inout [Violation]) -> PhaseSpec? {
        guard case .object(let members) = value else {
            violations.append(Violation(path, .wrongType(expected: "an object", found: value.kindDescription)))
            return nil
        }
        let before = violations.count
        for member in members where !phaseKeys.contains(member.key) {
            violations.append(Violation(path.appending(member.key), .other("unknown phase key (allowed: \(phaseKeys.joined(separator: ", ")))")))
        }
        var status: JobStatus?
        switch value["status"] {
        case .string(let text)?:
            status = JobStatus(rawValue: text)
            if status == nil {
                let allowed = JobStatus.allCases.map(\.rawValue).joined(separator: ", ")
                violations.append(Violation(path.appending("status"), .other("'\(text)' is not a status (one of \(allowed))")))
            }
        case let other?: violations.append(Violation(path.appending("status"), .wrongType(expected: "a string", found: other.kindDescription)))
        case nil: violations.append(Violation(path.appending("status"), .missingMember))
        }

        var length = PhaseSpec.Length.final
        switch (value["for"], value["polls"]) {
        case (.some, .some):
            violations.append(Violation(path, .other("a phase lasts either for a duration or for a number of polls, not both")))
        case (.string(let text)?, nil):
            if let milliseconds = DurationText.milliseconds(text), milliseconds > 0 {
                length = .duration(milliseconds: milliseconds)
            } else {
                violations.append(Violation(path.appending("for"), .other("'\(text)' is not a positive duration (a number and ms, s, m, h or d, e.g. \"90s\")")))
            }
        case (let other?, nil):
            violations.append(Violation(path.appending("for"), .wrongType(expected: "a duration string such as \"90s\"", found: other.kindDescription)))
        case (nil, let polls?):
            if let count = polls.int64Value, count >= 1, count <= Int64(Int32.max) {
                length = .polls(Int(count))
            } else {
                violations.append(Violation(path.appending("polls"), .other("expected a whole number of Gets, at least 1")))
            }
        case (nil, nil):
            break
        }
        if isLast, length != .final {
            violations.append(Violation(path, .other("the last phase has no for or polls: it is where the job stays")))
        } else if !isLast, length == .final, value["for"] == nil, value["polls"] == nil {
            violations.append(Violation(path, .other("only the last phase may have no length: give for or polls")))
        }

        var message: String?
        if let value = value["message"] {
            if case .string(let text) = value, text.unicodeScalars.count <= 2048 {
                message = text
            } else {
                violations.append(Violation(path.appending("message"), .other("expected a string of at most 2048 characters")))
            }
        }
        var counts: [String: Int64] = [:]
        for name in ["processedRecordCount", "successRecordCount", "errorRecordCount"] {
            guard let value = value[name] else { continue }
            if let number = value.int64Value, number >= 0 {
                counts[name] = number
            } else {
                violations.append(Violation(path.appending(name), .other("expected a whole number, at least 0")))
            }
        }
        guard violations.count == before, let status else { return nil }
        var phase = PhaseSpec(
            status: status, length: length, message: message, processedRecordCount: counts["processedRecordCount"],
            successRecordCount: counts["successRecordCount"], errorRecordCount: counts["errorRecordCount"])
        if phase.setsRecordCounts {
            checkCounts(&phase, total: total, at: path, &violations)
        }
        return violations.count == before ? phase : nil
    }

    /// Fills the counts a phase left out and checks them against each other and the total.
    private static func checkCounts(_ phase: inout PhaseSpec, total: Int64, at path: ValuePath, _ violations: inout [Violation]) {
        if phase.status.isWaitingToRun {
            violations.append(Violation(path, .other("record counts start with InProgress; a \(phase.status.rawValue) phase cannot set them")))
            return
        }
        let success = phase.successRecordCount
        let errors = phase.errorRecordCount
        let processed = phase.processedRecordCount ?? (success ?? 0) + (errors ?? 0)
        let filledSuccess = success ?? processed - (errors ?? 0)
        let filledErrors = errors ?? processed - filledSuccess
        guard filledSuccess >= 0, filledErrors >= 0, filledSuccess + filledErrors == processed else {
            violations.append(Violation(path, .other("successRecordCount + errorRecordCount must equal processedRecordCount")))
            return
        }
        if processed > total {
            violations.append(Violation(path.appending("processedRecordCount"), .other("\(processed) is more than the job's totalRecordCount \(total)")))
        } else if phase.status == .completed, processed != total {
            violations.append(Violation(path.appending("processedRecordCount"), .other("a Completed job has processed all \(total) records")))
        } else if phase.status == .partiallyCompleted, processed == total {
            violations.append(Violation(path.appending("processedRecordCount"), .other("a PartiallyCompleted job has processed fewer than its \(total) records")))
        }
        phase.processedRecordCount = processed
        phase.successRecordCount = filledSuccess
        phase.errorRecordCount = filledErrors
    }
}

extension LifecycleSpec {
    /// The total of a job with a lifecycle that gives no `totalRecordCount`.
    public static let defaultTotalRecordCount: Int64 = 1000
}
