import Fixtures
import Synchronization

/// What the mock does to one request instead of (or before) answering it normally.
public struct FaultDecision: Sendable, Equatable {
    /// The rule that fired: its id, `request` for request flags, `rate-limit` for a quota.
    public var ruleId: String
    public var error: AWSError?
    public var fault: FaultRuleSpec.ConnectionFault?
    public var delayMilliseconds: Int
}

/// The fault rules in force and the quotas' buckets, behind one lock.
public final class FaultBook: Sendable {
    struct State {
        var rules: [FaultRule] = []
        var nextId = 1
        var buckets: [String: TokenBucket] = [:]
    }

    private let state: Mutex<State>
    private let fixtureRules: [(jobId: String, spec: FaultRuleSpec)]
    private let rateLimits: [RateLimit]
    private let realTime: @Sendable () -> UInt64

    public init(fixtureRules: [(jobId: String, spec: FaultRuleSpec)] = [], rateLimits: [RateLimit] = [], realTime: @escaping @Sendable () -> UInt64 = monotonicNanoseconds) {
        self.fixtureRules = fixtureRules
        self.rateLimits = rateLimits
        self.realTime = realTime
        self.state = Mutex(State())
        reset()
    }

    /// The rules in the order they apply: the fixtures' first, then those added, oldest first.
    public var rules: [FaultRule] { state.withLock { $0.rules } }

    /// Puts a rule in force and returns it with its id.
    public func add(_ spec: FaultRuleSpec) -> FaultRule {
        state.withLock { state in Self.add(spec, fixtureJobId: nil, to: &state) }
    }

    /// Removes one rule; false if there is none with that id.
    public func remove(id: String) -> Bool {
        state.withLock { state in
            guard let index = state.rules.firstIndex(where: { $0.id == id }) else { return false }
            state.rules.remove(at: index)
            return true
        }
    }

    public func removeAll() {
        state.withLock { $0.rules.removeAll() }
    }

    /// The fixtures' rules as loaded (nothing fired), no other rule, and full quota buckets.
    public func reset() {
        let now = realTime()
        state.withLock { state in
            state = State()
            for (jobId, spec) in fixtureRules { _ = Self.add(spec, fixtureJobId: jobId, to: &state) }
            for limit in rateLimits { state.buckets[limit.operation] = TokenBucket(limit, now: now) }
        }
    }

    /// The first rule that fires on the request, else a quota that is spent, else nil.
    func decide(_ request: FaultContext) -> FaultDecision? {
        let now = realTime()
        return state.withLock { state -> FaultDecision? in
            for index in state.rules.indices where state.rules[index].matches(request) {
                guard state.rules[index].fires() else { continue }
                let rule = state.rules[index]
                let error = rule.spec.error.map { code in
                    AWSError(code, rule.spec.message ?? AWSError.defaultMessage(code, operation: request.operation))
                }
                return FaultDecision(
                    ruleId: rule.id, error: error, fault: rule.spec.fault,
                    delayMilliseconds: state.rules[index].delayMilliseconds())
            }
            if state.buckets[request.operation]?.take(now: now) == false {
                return FaultDecision(
                    ruleId: "rate-limit", error: AWSError("ThrottlingException", AWSError.defaultMessage("ThrottlingException", operation: request.operation)),
                    fault: nil, delayMilliseconds: 0)
            }
            return nil
        }
    }

    private static func add(_ spec: FaultRuleSpec, fixtureJobId: String?, to state: inout State) -> FaultRule {
        let rule = FaultRule(id: "fault-\(state.nextId)", spec: spec, fixtureJobId: fixtureJobId)
        state.nextId += 1
        state.rules.append(rule)
        return rule
    }
}

extension AWSError {
    /// The message of an injected error that gives none: the model's description of the error.
    static func defaultMessage(_ code: String, operation: String) -> String {
        ServiceModel.shape(code).documentation ?? "\(code) from \(operation)"
    }
}
