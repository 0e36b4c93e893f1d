import Fixtures
import ServiceModel

/// `--rate-limit OPERATION=N/s`: at most N requests a second of an operation (bursts up to N),
/// the way AWS's per-operation TPS quotas throttle.
public struct RateLimit: Sendable, Equatable {
    public var operation: String
    public var perSecond: Double

    public init(operation: String, perSecond: Double) {
        self.operation = operation
        self.perSecond = perSecond
    }

    /// Parses `GetModelInvocationJob=5/s` (or `=5`); nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "=", maxSplits: 1)
        guard parts.count == 2, ServiceModel.operations[String(parts[0])] != nil else { return nil }
        let rate = parts[1].hasSuffix("/s") ? parts[1].dropLast(2) : parts[1]
        guard let number = Double(rate), number > 0, number <= 1e9 else { return nil }
        self.init(operation: String(parts[0]), perSecond: number)
    }
}

/// A token bucket on real (monotonic) time, not the virtual clock: quotas are about request rate.
struct TokenBucket: Sendable {
    let capacity: Double
    let perNanosecond: Double
    private var tokens: Double
    private var updated: UInt64

    init(_ limit: RateLimit, now: UInt64) {
        capacity = max(1, limit.perSecond)
        perNanosecond = limit.perSecond / 1e9
        tokens = capacity
        updated = now
    }

    /// Takes a token if there is one.
    mutating func take(now: UInt64) -> Bool {
        if now > updated {
            tokens = min(capacity, tokens + Double(now - updated) * perNanosecond)
            updated = now
        }
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
