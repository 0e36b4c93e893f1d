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

    /// Simulated milliseconds since the epoch at the real instant `realNow`.
    public func now(realNow: UInt64) -> Int64 {
        guard rate > 0, realNow > anchorReal else { return anchorMillis }
        return anchorMillis + Int64((Double(realNow - anchorReal) / 1_000_000 * rate).rounded(.down))
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
