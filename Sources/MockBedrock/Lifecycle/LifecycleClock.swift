import Fixtures
import ServiceModel

/// The server's one virtual clock: simulated milliseconds that run at `rate` simulated seconds per
/// real second (0 freezes it). A pure value: every reading takes the real monotonic time as an
/// argument, so tests drive it with made-up instants.
public struct LifecycleClock: Sendable, Equatable {
    /// Simulated seconds per real second.
    public private(set) var rate: Double
    private var anchorReal: UInt64
    private var anchorMillis: Int64

    public init(startMillis: Int64, rate: Double, realNow: UInt64) {
        self.rate = rate
        self.anchorReal = realNow
        self.anchorMillis = startMillis
    }

    /// The clock stops at 9999-12-31T23:59:59.999Z, the last instant ISO 8601 (and Python's
    /// datetime) can write with four digits.
    public static let end: Int64 = Timestamp.latestMillis

    /// Simulated milliseconds since the epoch at the real instant `realNow`.
    public func now(realNow: UInt64) -> Int64 {
        guard rate > 0, realNow > anchorReal else { return anchorMillis }
        let elapsed = Double(realNow - anchorReal) / 1_000_000 * rate
        guard elapsed < Double(Self.end - anchorMillis) else { return Self.end }
        return anchorMillis + Int64(elapsed.rounded(.down))
    }

    public mutating func set(_ millis: Int64, realNow: UInt64) {
        anchorReal = realNow
        anchorMillis = millis
    }

    public mutating func advance(by millis: Int64, realNow: UInt64) {
        set(now(realNow: realNow) + millis, realNow: realNow)
    }

    public mutating func setRate(_ newRate: Double, realNow: UInt64) {
        set(now(realNow: realNow), realNow: realNow)
        rate = newRate
    }
}
