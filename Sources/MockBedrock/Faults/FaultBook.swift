import Fixtures
import Sync

/// What the mock does to one request instead of (or before) answering it normally.
public struct FaultDecision: Sendable, Equatable {
    /// The rules that fired, comma-separated: ids, `request` for request flags, `rate-limit` for a quota.
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

    private let state: Locked<State>
    private let fixtureRules: [(jobId: String, spec: FaultRuleSpec)]
    private let rateLimits: [RateLimit]
    private let realTime: @Sendable () -> UInt64

    public init(fixtureRules: [(jobId: String, spec: FaultRuleSpec)] = [], rateLimits: [RateLimit] = [], realTime: @escaping @Sendable () -> UInt64 = monotonicNanoseconds) {
        self.fixtureRules = fixtureRules
        self.rateLimits = rateLimits
        self.realTime = realTime
        self.state = Locked(State())
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

    /// What the rules and quotas do to a request: the first rule that fires with an `error` or a
    /// `fault` answers it, else a spent quota does; the delays of every rule that fired on the way
    /// (delay-only rules, and `start`, a delay asked for by the request's flags) add up.
    /// The context is only made when there is a rule or a quota to ask it.
    func decide(_ makeContext: @autoclosure () -> FaultContext, after start: FaultDecision? = nil) -> FaultDecision? {
        state.withLock { state -> FaultDecision? in
            if state.rules.isEmpty, state.buckets.isEmpty { return start }
            let request = makeContext()
            var decision = start ?? FaultDecision(ruleId: "", error: nil, fault: nil, delayMilliseconds: 0)
            var fired = start.map { [$0.ruleId] } ?? []
            for index in state.rules.indices where !state.rules[index].spec.isDataRule && !state.rules[index].spec.isEventRule && state.rules[index].matches(request) {
                guard state.rules[index].fires() else { continue }
                let rule = state.rules[index]
                fired.append(rule.id)
                decision.delayMilliseconds += state.rules[index].delayMilliseconds()
                if rule.spec.error != nil || rule.spec.fault != nil {
                    decision.error = rule.spec.error.map { code in
                        AWSError(code, rule.spec.message ?? AWSError.defaultMessage(code, operation: request.operation))
                    }
                    decision.fault = rule.spec.fault
                    decision.ruleId = fired.joined(separator: ",")
                    return decision
                }
            }
            if !state.buckets.isEmpty, state.buckets[request.operation]?.take(now: realTime()) == false {
                fired.append("rate-limit")
                decision.error = AWSError("ThrottlingException", AWSError.defaultMessage("ThrottlingException", operation: request.operation))
            }
            decision.ruleId = fired.joined(separator: ",")
            return fired.isEmpty ? nil : decision
        }
    }

    /// The first data rule of `kind` that matches the job and fires (counted as fired), if any.
    func dataRule(jobId: String, jobArn: String, where kind: (FaultRuleSpec) -> Bool) -> FaultRule? {
        state.withLock { state -> FaultRule? in
            let context = FaultContext(operation: "", identifier: jobId, jobId: jobId, jobArn: { jobArn }, status: { nil })
            for index in state.rules.indices where kind(state.rules[index].spec) && state.rules[index].matches(context) {
                if state.rules[index].fires() { return state.rules[index] }
            }
            return nil
        }
    }

    /// What the event rules do to a job's event announcing `status`: the first rule that matches
    /// the job and the status and fires (counted as fired) drops it or delays it; nil: sent as it is.
    func eventRule(jobId: String, jobArn: String, status: JobStatus) -> (rule: FaultRule, delayMilliseconds: Int)? {
        state.withLock { state -> (rule: FaultRule, delayMilliseconds: Int)? in
            let context = FaultContext(operation: "", identifier: jobId, jobId: jobId, jobArn: { jobArn }, status: { status })
            for index in state.rules.indices where state.rules[index].spec.isEventRule && state.rules[index].matches(context) {
                if state.rules[index].fires() { return (state.rules[index], state.rules[index].delayMilliseconds()) }
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
