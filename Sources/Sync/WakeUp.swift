#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A condition that state guarded elsewhere (a `Locked`) can be waited on with, without losing a
/// wake-up: a waiter reads `generation`, checks its state, and waits for a later generation;
/// whoever changes the state calls `broadcast()` after, which moves the generation on. A change
/// made between the check and the wait has already moved it, so the wait returns at once.
/// Every wait has a deadline, on the monotonic clock. pthread, for ThreadSanitizer (see `Locked`).
/// The event sinks' queues and the server's event worker wait on one.
public final class WakeUp: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    /// Guarded by `mutex`.
    private var count: UInt64 = 0

    public init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        condition.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    public var generation: UInt64 {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return count
    }

    /// Wakes every waiter.
    public func broadcast() {
        pthread_mutex_lock(mutex)
        count &+= 1
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Waits for a broadcast after `generation`, or until `deadline` (`Monotonic.now()` nanoseconds).
    public func wait(after generation: UInt64, until deadline: UInt64) {
        var time = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while count == generation {
            if pthread_cond_timedwait(condition, mutex, &time) == ETIMEDOUT { return }
        }
    }
}

/// The monotonic clock, which wall-clock changes do not move.
public enum Monotonic {
    /// Nanoseconds since an arbitrary start.
    public static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// `milliseconds` from now (none for a negative count).
    public static func deadline(in milliseconds: Int) -> UInt64 {
        now() + UInt64(max(0, milliseconds)) * 1_000_000
    }
}
