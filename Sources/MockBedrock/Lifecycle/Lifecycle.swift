import Fixtures

/// Record counts at one instant: processed = success + error.
public struct RecordCounts: Sendable, Equatable {
    public var processed: Int64
    public var success: Int64
    public var error: Int64

    public init(processed: Int64, success: Int64, error: Int64) {
        self.processed = processed
        self.success = success
        self.error = error
    }

    init?(_ phase: PhaseSpec) {
        guard phase.setsRecordCounts, let processed = phase.processedRecordCount, let success = phase.successRecordCount,
            let error = phase.errorRecordCount
        else { return nil }
        self.init(processed: processed, success: success, error: error)
    }

    public static let zero = RecordCounts(processed: 0, success: 0, error: 0)

    /// `fraction` of the way from `base` to `target`: successes and errors each rounded down, so
    /// that all three counts only rise and processed = success + error.
    static func interpolated(from base: RecordCounts, to target: RecordCounts, fraction: Double) -> RecordCounts {
        func part(_ low: Int64, _ high: Int64) -> Int64 {
            guard high > low, fraction > 0 else { return low }
            let step = Double(high - low) * min(1, fraction)
            return step >= Double(high - low) ? high : low + Int64(step.rounded(.down))
        }
        let success = part(base.success, target.success)
        let error = part(base.error, target.error)
        return RecordCounts(processed: success + error, success: success, error: error)
    }
}

/// A job's lifecycle: phases from its submit time, a timeout, and the total of records it processes.
/// Evaluated lazily: `position(...)` says where the job stands at an instant. No timers.
public struct Lifecycle: Sendable, Equatable {
    public var phases: [PhaseSpec]
    public var timeoutMillis: Int64
    public var timeoutHours: Int
    public var totalRecordCount: Int64

    /// The timeout of a job whose fixture gives no `timeoutDurationInHours`: 168 hours (7 days),
    /// the longest the model allows.
    public static let defaultTimeoutHours = 168

    public init(phases: [PhaseSpec], timeoutHours: Int = Lifecycle.defaultTimeoutHours, totalRecordCount: Int64 = LifecycleSpec.defaultTotalRecordCount) {
        self.phases = phases
        self.timeoutHours = timeoutHours
        self.timeoutMillis = Int64(timeoutHours) * 3_600_000
        self.totalRecordCount = totalRecordCount
    }

    /// The lifecycle a fixture job follows, or nil for a static job.
    public init?(_ behaviour: JobBehaviour, record: JobRecord) {
        let phases: [PhaseSpec]
        switch behaviour {
        case .static: return nil
        case .lifecycle(let spec): phases = spec.phases
        case .defaultLifecycle(let outcome): phases = Self.defaultPhases(outcome)
        }
        self.init(
            phases: phases, timeoutHours: record.timeoutDurationInHours ?? Self.defaultTimeoutHours,
            totalRecordCount: record.totalRecordCount ?? LifecycleSpec.defaultTotalRecordCount)
    }

    /// The default lifecycle: Submitted 5m, Validating 10m, Scheduled 30m, InProgress 2h, then the outcome.
    /// Failed fails validation; Expired stays Scheduled until the timeout; Stopped is stopped after 1h in progress.
    public static func defaultPhases(_ outcome: LifecycleOutcome) -> [PhaseSpec] {
        let minute: Int64 = 60_000
        let submitted = PhaseSpec(status: .submitted, length: .duration(milliseconds: 5 * minute))
        let validating = PhaseSpec(status: .validating, length: .duration(milliseconds: 10 * minute))
        let scheduled = PhaseSpec(status: .scheduled, length: .duration(milliseconds: 30 * minute))
        let inProgress = PhaseSpec(status: .inProgress, length: .duration(milliseconds: 120 * minute))
        switch outcome {
        case .completed:
            return [submitted, validating, scheduled, inProgress, PhaseSpec(status: .completed, length: .final)]
        case .partiallyCompleted:
            return [
                submitted, validating, scheduled, inProgress,
                PhaseSpec(
                    status: .partiallyCompleted, length: .final,
                    message: "Not all records were processed: some model invocations did not finish before the job ended."),
            ]
        case .failed:
            return [
                submitted, validating,
                PhaseSpec(
                    status: .failed, length: .final,
                    message: "Input validation failed: no record of the input file is a valid JSON object with recordId and modelInput."),
            ]
        case .expired:
            return [submitted, validating, PhaseSpec(status: .scheduled, length: .final)]
        case .stopped:
            return [
                submitted, validating, scheduled, PhaseSpec(status: .inProgress, length: .duration(milliseconds: 60 * minute)),
                PhaseSpec(status: .stopping, length: .duration(milliseconds: 2 * minute)), PhaseSpec(status: .stopped, length: .final),
            ]
        }
    }
}

/// What a job's Gets have done to its `polls` phases.
public struct LifecycleProgress: Sendable, Equatable {
    /// Gets seen in each phase (only `polls` phases count them).
    var polls: [Int]
    /// When each `polls` phase ended: the clock time of its last Get.
    var pollEnds: [Int64?]

    public init(phaseCount: Int) {
        polls = Array(repeating: 0, count: phaseCount)
        pollEnds = Array(repeating: nil, count: phaseCount)
    }

    /// How many `polls` phases have ended (a Get that ends one changes this).
    var endedPollsPhases: Int {
        var count = 0
        for end in pollEnds where end != nil { count += 1 }
        return count
    }
}

/// Where a job stands at an instant.
public struct LifecyclePosition: Sendable, Equatable {
    /// The current phase, or nil when the job expired waiting to run.
    public var phaseIndex: Int?
    public var status: JobStatus
    /// When the current status began (`lastModifiedTime`; `endTime` too for a terminal status).
    public var since: Int64
    public var message: String?
    public var counts: RecordCounts?
    /// True while counts rise with time or polls: the served body changes within the phase.
    public var isChanging: Bool
}

extension Lifecycle {
    /// The job's status, the instant it began, its message and record counts at clock time `now`,
    /// for a job submitted at `submit`. A Get (`isPoll`) counts toward the current `polls` phase:
    /// a phase of N polls is seen by N Gets, and the next phase begins at the clock time of the Nth.
    /// When the timeout passes, a job still Submitted, Validating or Scheduled is Expired, and a job
    /// InProgress ends PartiallyCompleted with the records processed by then.
    public func position(submit: Int64, now: Int64, progress: inout LifecycleProgress, isPoll: Bool) -> LifecyclePosition {
        let expiry = submit + timeoutMillis
        var start = submit
        var carried: RecordCounts?
        for (index, phase) in phases.enumerated() {
            let end = end(of: phase, index, start: start, progress)
            if now >= expiry, start <= expiry, end.map({ expiry <= $0 }) ?? true {
                if phase.status.isWaitingToRun {
                    return LifecyclePosition(
                        phaseIndex: nil, status: .expired, since: expiry,
                        message: "The job did not start before its timeout of \(timeoutHours) hours elapsed.",
                        counts: carried, isChanging: false)
                }
                if phase.status == .inProgress {
                    let counts = counts(ofPhase: index, fraction: fraction(of: phase, index, start: start, at: expiry, progress), carried: carried)
                    let done = counts?.processed == totalRecordCount
                    return LifecyclePosition(
                        phaseIndex: nil, status: done ? .completed : .partiallyCompleted, since: expiry,
                        message: done ? nil : "The job reached its timeout of \(timeoutHours) hours before all records were processed.",
                        counts: counts, isChanging: false)
                }
            }
            if let end, now >= end {
                carried = counts(ofPhase: index, fraction: 1, carried: carried)
                start = end
                continue
            }
            let fraction = fraction(of: phase, index, start: start, at: now, progress)
            if case .polls(let count) = phase.length, isPoll {
                progress.polls[index] += 1
                if progress.polls[index] >= count { progress.pollEnds[index] = now }
            }
            let rising = phase.status == .inProgress && phase.length != .final
            return LifecyclePosition(
                phaseIndex: index, status: phase.status, since: start, message: phase.message,
                counts: counts(ofPhase: index, fraction: fraction, carried: carried), isChanging: rising)
        }
        preconditionFailure("a lifecycle ends in a phase without length")
    }

    /// When a phase that began at `start` ends: after its duration, at its last Get (nil until
    /// then), never for the final phase.
    func end(of phase: PhaseSpec, _ index: Int, start: Int64, _ progress: LifecycleProgress) -> Int64? {
        switch phase.length {
        case .duration(let milliseconds): start + milliseconds
        case .polls: progress.pollEnds[index]
        case .final: nil
        }
    }

    /// How far into a phase an instant is: by time, or by the Gets seen before this one.
    private func fraction(of phase: PhaseSpec, _ index: Int, start: Int64, at instant: Int64, _ progress: LifecycleProgress) -> Double {
        switch phase.length {
        case .duration(let milliseconds): Double(max(0, instant - start)) / Double(milliseconds)
        case .polls(let count): Double(progress.polls[index]) / Double(count)
        case .final: 1
        }
    }

    /// The counts during phase `index`. InProgress rises `fraction` of the way from the counts before
    /// it to its own, or to the next phase's; other phases show their own, or keep those before them.
    private func counts(ofPhase index: Int, fraction: Double, carried: RecordCounts?) -> RecordCounts? {
        let phase = phases[index]
        switch phase.status {
        case .inProgress:
            let target = RecordCounts(phase) ?? (phase.length == .final ? carried ?? .zero : target(after: index))
            return RecordCounts.interpolated(from: carried ?? .zero, to: target, fraction: fraction)
        case .completed, .partiallyCompleted:
            return RecordCounts(phase) ?? carried ?? defaultCounts(for: phase.status)
        default:
            return RecordCounts(phase) ?? carried
        }
    }

    /// What an InProgress phase works toward: the next phase's counts, or a share of the total that
    /// fits the next status (all for Completed, 80% for PartiallyCompleted, 40% when stopped or failed).
    private func target(after index: Int) -> RecordCounts {
        guard index + 1 < phases.count else { return defaultCounts(for: .completed) }
        let next = phases[index + 1]
        return RecordCounts(next) ?? defaultCounts(for: next.status)
    }

    private func defaultCounts(for status: JobStatus) -> RecordCounts {
        let total = totalRecordCount
        let processed =
            switch status {
            case .completed: total
            case .partiallyCompleted: total / 10 * 8 + total % 10 * 8 / 10
            default: total / 10 * 4 + total % 10 * 4 / 10
            }
        return RecordCounts(processed: processed, success: processed, error: 0)
    }
}

extension Lifecycle {
    /// When the job leaves Validating: the start of the first phase after its leading Submitted and
    /// Validating phases (the submit time when it has none), nil while that is not known (a `polls`
    /// phase not yet ended) or never comes (the lifecycle ends before it). Validating checks the input
    /// at this instant.
    public func validationEnd(submit: Int64, progress: LifecycleProgress) -> Int64? {
        var start = submit
        for (index, phase) in phases.enumerated() {
            guard phase.status == .submitted || phase.status == .validating else { return start }
            switch phase.length {
            case .duration(let milliseconds): start += milliseconds
            case .polls:
                guard let end = progress.pollEnds[index] else { return nil }
                start = end
            case .final: return nil
            }
        }
        return nil
    }

    /// The lifecycle a job with input data follows: the same phases, `total` records, and counts
    /// from the shares the phases imply rather than the numbers a fixture wrote for its own total.
    func withData(total: Int64) -> Lifecycle {
        var copy = self
        copy.totalRecordCount = total
        copy.phases = phases.map { phase in
            var stripped = phase
            stripped.processedRecordCount = nil
            stripped.successRecordCount = nil
            stripped.errorRecordCount = nil
            return stripped
        }
        return copy
    }

    /// The share of records a fixture's counts ask to fail: the error count over the processed count
    /// of the last phase that sets counts (0 when none does).
    var requestedErrorShare: Double {
        guard let phase = phases.last(where: \.setsRecordCounts) else { return 0 }
        let errors = Double(phase.errorRecordCount ?? 0)
        let processed = Double(phase.processedRecordCount ?? ((phase.successRecordCount ?? 0) + (phase.errorRecordCount ?? 0)))
        return processed > 0 ? min(1, errors / processed) : 0
    }
}
