import Fixtures
import ServiceModel
import Sync

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// CLOCK_MONOTONIC in nanoseconds (`Monotonic.now()`): what the virtual clock runs on, and request durations.
@Sendable public func monotonicNanoseconds() -> UInt64 {
    Monotonic.now()
}

extension Timestamp {
    /// The wall clock now, to the millisecond: the default start of the virtual clock.
    public static func wallClockNow() -> Timestamp {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Timestamp(milliseconds: Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000)
    }
}
