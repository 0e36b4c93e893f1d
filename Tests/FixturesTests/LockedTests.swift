import Sync
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `Locked.current`: a closure read out of a `Locked` stays as cheap to call the 50,000th time as
/// the first (read with `withLock { $0 }`, each read wrapped it in one more thunk: the event
/// worker's wake-up, read on every Create, made a soak three times slower within seconds).
@Suite struct LockedTests {
    final class Counter: @unchecked Sendable { var count = 0 }

    private func seconds(_ body: () -> Void) -> Double {
        var start = timespec()
        var end = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        body()
        clock_gettime(CLOCK_MONOTONIC, &end)
        return Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
    }

    @Test func aStoredClosureReadAgainAndAgainStaysCheap() {
        let counter = Counter()
        let locked = Locked<(@Sendable () -> Void)?>(nil)
        locked.withLock { $0 = { counter.count += 1 } }
        let batches = (0..<5).map { _ in seconds { for _ in 0..<10_000 { locked.current?() } } }
        #expect(counter.count == 50_000)
        // growing thunks make each batch slower than the one before (about 3x by the second)
        #expect(batches[4] < max(batches[0] * 3, 0.05), "\(batches)")
    }
}
