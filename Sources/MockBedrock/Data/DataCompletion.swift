import Sync

/// The end of the pieces of data work one request waits for. The server is told through `notify`
/// (it resumes the connection it suspended: no libmicrohttpd thread waits); an in-process caller
/// may `wait` on it. It ends when every piece has ended: done, found no longer needed, or abandoned
/// by a reset.
final class DataCompletion: Sendable {
    private struct State {
        var remaining: Int
        var callbacks: [@Sendable () -> Void] = []
        var cancelled = false
    }

    private let state: Locked<State>
    private let wakeUp = WakeUp()

    /// A completion of `count` pieces (0: ended already).
    init(count: Int) {
        state = Locked(State(remaining: max(0, count)))
    }

    var isDone: Bool { state.withLock { $0.remaining == 0 } }

    /// Whether nobody waits for it any more (its request is gone): the work under way forgets it.
    var isForgotten: Bool { state.withLock { $0.cancelled || $0.remaining == 0 } }

    /// Its request is done with (answered, or its client hung up): the callbacks are dropped, so a
    /// flood of requests that hang up while the work is stuck holds no memory for them.
    func cancel() {
        state.withLock { state in
            state.cancelled = true
            state.callbacks = []
        }
    }

    /// One piece ended; the last runs the callbacks (outside the lock) and wakes the waiters.
    func finishOne() {
        let callbacks = state.withLock { state -> [@Sendable () -> Void] in
            guard state.remaining > 0 else { return [] }
            state.remaining -= 1
            guard state.remaining == 0 else { return [] }
            defer { state.callbacks = [] }
            return state.callbacks
        }
        if state.withLock({ $0.remaining == 0 }) { wakeUp.broadcast() }
        for callback in callbacks { callback() }
    }

    /// Runs `callback` once when the work has ended: at once (on this thread) if it has.
    func notify(_ callback: @escaping @Sendable () -> Void) {
        let now = state.withLock { state -> Bool in
            if state.remaining == 0 { return true }
            if !state.cancelled { state.callbacks.append(callback) }
            return false
        }
        if now { callback() }
    }

    /// Waits until the work has ended or `deadline` (`Monotonic.now()` nanoseconds) has passed. For
    /// in-process callers only: a request thread of the server never waits (it suspends the connection).
    func wait(until deadline: UInt64) {
        while true {
            let generation = wakeUp.generation
            if isDone || Monotonic.now() >= deadline { return }
            wakeUp.wait(after: generation, until: deadline)
        }
    }
}
