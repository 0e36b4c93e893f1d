import JSON
import ServiceModel
/// A fault rule as written: in a fixture's `faults`, in `POST /_mock/faults`, or as request flags.
/// One model behind every way of asking. What a rule does is an `error` of the service model, a
/// connection `fault`, a delay, or a delay with one of the others.
public struct FaultRuleSpec: Sendable, Equatable {
    /// How the transport breaks the connection instead of answering.
    public enum ConnectionFault: String, Sendable, CaseIterable {
        /// Close with a TCP reset (RST).
        case reset
        /// Close without answering (FIN).
        case close
        /// Send the headers and half the body, then close.
        case truncate
        /// Hold the connection without answering until the client gives up.
        case stall
    }

    /// What a rule does to a job's data instead of to a request.
    public enum DataFault: String, Sendable, CaseIterable {
        /// Validating cannot read the input: the job fails with an access message.
        case inputUnreadable
        /// Writing the results fails: the job fails with an access message instead of finishing.
        case outputWriteFails
    }

    /// What a rule does to the lifecycle events of the matching jobs (docs/events.md).
    public enum EventFault: String, Sendable, CaseIterable {
        /// The event is not sent at all (AWS sends events best effort).
        case drop
        /// The event is sent `delayMs` later than it happened.
        case delay
    }

    public enum Delay: Sendable, Equatable {
        case fixed(milliseconds: Int)
        /// Uniform in `min ... max`, drawn from the rule's random sequence.
        case range(min: Int, max: Int)
    }

    public var error: String?
    public var message: String?
    public var fault: ConnectionFault?
    public var delay: Delay?
    /// Matches the operation name, e.g. `GetModelInvocationJob`.
    public var operation: String?
    /// Matches the job id or ARN; `*` matches any run of characters.
    public var jobId: String?
    /// Matches the job's status at the clock's time.
    public var status: JobStatus?
    /// Fire at most this many times (nil: no limit).
    public var times: Int?
    /// Let the first `after` matching requests through.
    public var after: Int
    /// Fire with this probability (nil: always).
    public var probability: Double?
    /// Seeds the rule's random sequence (probability draws and delay ranges): the same seed, the same sequence.
    public var seed: UInt64?
    /// A data fault of the matching jobs (`data`).
    public var data: DataFault?
    /// The share of the matching jobs' records that end in an error (`recordErrors`, 0 to 1).
    public var recordErrors: Double?
    /// What happens to the matching jobs' lifecycle events (`event`); `status` then matches the
    /// status the event announces.
    public var event: EventFault?

    /// True for a rule about jobs' data, which requests never fire.
    public var isDataRule: Bool { data != nil || recordErrors != nil }
    /// True for a rule about lifecycle events, which requests never fire.
    public var isEventRule: Bool { event != nil }

    public init(
        error: String? = nil, message: String? = nil, fault: ConnectionFault? = nil, delay: Delay? = nil,
        operation: String? = nil, jobId: String? = nil, status: JobStatus? = nil, times: Int? = nil, after: Int = 0,
        probability: Double? = nil, seed: UInt64? = nil, data: DataFault? = nil, recordErrors: Double? = nil, event: EventFault? = nil
    ) {
        self.event = event
        self.data = data
        self.recordErrors = recordErrors
        self.error = error
        self.message = message
        self.fault = fault
        self.delay = delay
        self.operation = operation
        self.jobId = jobId
        self.status = status
        self.times = times
        self.after = after
        self.probability = probability
        self.seed = seed
    }

    /// The keys a rule object may have.
    public static let keys = [
        "error", "message", "fault", "delayMs", "operation", "jobId", "status", "times", "after", "probability", "seed", "data", "recordErrors", "event",
    ]
    /// The longest delay a rule may ask for: ten minutes.
    public static let maxDelayMilliseconds = 600_000
    /// The operations a rule may name.
    public static let operations = ServiceModel.operations.keys.sorted()

    /// Reads a rule object, or every problem with it, each naming its key under `path`.
    /// `allowJobId` is false for a fixture job's own rules, which apply to that job.
    public static func decode(_ value: JSONValue, at path: ValuePath = ValuePath(), allowJobId: Bool = true) -> Result<FaultRuleSpec, FaultRuleErrors> {
        guard case .object(let members) = value else {
            return .failure(FaultRuleErrors(violations: [Violation(path, .wrongType(expected: "a rule object", found: value.kindDescription))]))
        }
        var violations: [Violation] = []
        var rule = FaultRuleSpec()
        let allowed = allowJobId ? keys : keys.filter { $0 != "jobId" }
        for member in members {
            let at = path.appending(member.key)
            guard allowed.contains(member.key) else {
                let why = member.key == "jobId" ? "a job's own rules apply to that job; jobId is not allowed here" : "unknown key (allowed: \(allowed.joined(separator: ", ")))"
                violations.append(Violation(at, .other(why)))
                continue
            }
            if let problem = rule.set(member.key, member.value) { violations.append(Violation(at, .other(problem))) }
        }
        if violations.isEmpty { violations = rule.crossFieldViolations(at: path) }
        return violations.isEmpty ? .success(rule) : .failure(FaultRuleErrors(violations: violations))
    }

    /// A one-request rule from flags (`mockError`, `mockMessage`, `mockDelayMs`, `mockFault` in the
    /// query, or `x-mock-*` headers), or nil when none is given. Problems name the flag.
    public static func fromFlags(error: String?, message: String?, delayMs: String?, fault: String?, names: [String]) -> Result<FaultRuleSpec, FaultRuleErrors>? {
        guard error != nil || message != nil || delayMs != nil || fault != nil else { return nil }
        var rule = FaultRuleSpec()
        var violations: [Violation] = []
        let values: [(String, JSONValue?)] = [
            ("error", error.map(JSONValue.string)), ("message", message.map(JSONValue.string)),
            ("delayMs", delayMs.map { Int($0) != nil ? .number($0) : .string($0) }), ("fault", fault.map(JSONValue.string)),
        ]
        for ((key, value), name) in zip(values, names) {
            guard let value else { continue }
            if let problem = rule.set(key, value) { violations.append(Violation(ValuePath([.member(name)]), .other(problem))) }
        }
        if violations.isEmpty {
            // Name the flag each problem is about: the one given for its key, else the first given.
            let given = zip(values, names).filter { $0.0.1 != nil }.map { (key: $0.0.0, name: $0.1) }
            violations = rule.crossFieldViolations(at: ValuePath(), dataKeys: false).map { violation in
                let key: String? = if case .member(let member)? = violation.path.components.first { member } else { nil }
                let name = given.first { $0.key == key }?.name ?? given[0].name
                return Violation(ValuePath([.member(name)]), violation.problem)
            }
        }
        return violations.isEmpty ? .success(rule) : .failure(FaultRuleErrors(violations: violations))
    }

    /// Sets one key from JSON; returns the problem, if any.
    private mutating func set(_ key: String, _ value: JSONValue) -> String? {
        switch key {
        case "error":
            guard case .string(let code) = value, ServiceModel.errorStatus(of: code) != nil else {
                return "expected an error code of the model: \(ServiceModel.errorCodes.joined(separator: ", "))"
            }
            error = code
        case "message":
            guard case .string(let text) = value, !text.isEmpty, text.unicodeScalars.count <= 2048 else {
                return "expected a message of 1 to 2048 characters"
            }
            message = text
        case "fault":
            guard case .string(let text) = value, let chosen = ConnectionFault(rawValue: text) else {
                return "expected one of \(ConnectionFault.allCases.map(\.rawValue).joined(separator: ", "))"
            }
            fault = chosen
        case "delayMs":
            let bound = Self.maxDelayMilliseconds
            switch value {
            case .number:
                guard let fixed = value.int64Value, (0...Int64(bound)).contains(fixed) else {
                    return "expected milliseconds from 0 to \(bound), or [min, max]"
                }
                delay = .fixed(milliseconds: Int(fixed))
            case .array(let bounds):
                guard bounds.count == 2, let low = bounds[0].int64Value, let high = bounds[1].int64Value,
                    low >= 0, low <= high, high <= Int64(bound)
                else { return "expected [min, max] milliseconds with 0 <= min <= max <= \(bound)" }
                delay = .range(min: Int(low), max: Int(high))
            default:
                return "expected milliseconds from 0 to \(bound), or [min, max]"
            }
        case "operation":
            guard case .string(let name) = value, Self.operations.contains(name) else {
                return "expected an operation: \(Self.operations.joined(separator: ", "))"
            }
            operation = name
        case "jobId":
            guard case .string(let pattern) = value, !pattern.isEmpty, pattern.utf8.count <= 1011 else {
                return "expected a job id, a job ARN or a pattern with * (at most 1011 characters)"
            }
            jobId = pattern
        case "status":
            guard case .string(let text) = value, let chosen = JobStatus(rawValue: text) else {
                return "expected a status: \(JobStatus.allCases.map(\.rawValue).joined(separator: ", "))"
            }
            status = chosen
        case "times":
            guard let count = value.int64Value, count >= 1, count <= Int64(Int32.max) else { return "expected a whole number, at least 1" }
            times = Int(count)
        case "after":
            guard let count = value.int64Value, count >= 0, count <= Int64(Int32.max) else { return "expected a whole number, at least 0" }
            after = Int(count)
        case "probability":
            guard case .number(let literal) = value, let chance = Double(literal), chance >= 0, chance <= 1 else {
                return "expected a number from 0 to 1"
            }
            probability = chance
        case "seed":
            guard case .number(let literal) = value, let number = UInt64(literal) else { return "expected a whole number from 0 to 2^64-1" }
            seed = number
        case "data":
            guard case .string(let text) = value, let chosen = DataFault(rawValue: text) else {
                return "expected one of \(DataFault.allCases.map(\.rawValue).joined(separator: ", "))"
            }
            data = chosen
        case "recordErrors":
            guard case .number(let literal) = value, let share = Double(literal), share >= 0, share <= 1 else {
                return "expected a share of records from 0 to 1"
            }
            recordErrors = share
        case "event":
            guard case .string(let text) = value, let chosen = EventFault(rawValue: text) else {
                return "expected one of \(EventFault.allCases.map(\.rawValue).joined(separator: ", "))"
            }
            event = chosen
        default:
            preconditionFailure("unhandled rule key \(key)")
        }
        return nil
    }

    /// `dataKeys`: whether the way of asking has `data` and `recordErrors` (request flags do not).
    private func crossFieldViolations(at path: ValuePath, dataKeys: Bool = true) -> [Violation] {
        var violations: [Violation] = []
        if let event {
            for (key, isSet) in [
                ("error", error != nil), ("message", message != nil), ("fault", fault != nil), ("operation", operation != nil), ("data", data != nil),
                ("recordErrors", recordErrors != nil),
            ] where isSet {
                violations.append(Violation(path.appending(key), .other("a rule about lifecycle events (event) has no \(key)")))
            }
            if event == .delay, delay == nil { violations.append(Violation(path.appending("delayMs"), .other("event delay needs delayMs"))) }
            if event == .drop, delay != nil { violations.append(Violation(path.appending("delayMs"), .other("a dropped event has no delay"))) }
            return violations
        }
        if isDataRule {
            if data != nil, recordErrors != nil { violations.append(Violation(path.appending("recordErrors"), .other("a rule has data or recordErrors, not both"))) }
            for (key, isSet) in [("error", error != nil), ("fault", fault != nil), ("delayMs", delay != nil), ("operation", operation != nil), ("status", status != nil)]
            where isSet {
                violations.append(Violation(path.appending(key), .other("a rule about jobs' data (data, recordErrors) has no \(key)")))
            }
            return violations
        }
        if error == nil, fault == nil, delay == nil {
            violations.append(
                Violation(path, .other(dataKeys ? "a rule needs error, fault, delayMs, data, recordErrors or event" : "a rule needs error, fault or delayMs")))
        }
        if error != nil, fault != nil {
            violations.append(Violation(path.appending("fault"), .other("a rule answers an error or breaks the connection, not both")))
        }
        if message != nil, error == nil {
            violations.append(Violation(path.appending("message"), .other("a message goes with an error")))
        }
        return violations
    }
}

/// The problems of a rule, each with the key it concerns.
public struct FaultRuleErrors: Error, Sendable, CustomStringConvertible {
    public var violations: [Violation]

    public var description: String { violations.map(\.description).joined(separator: "; ") }
}
