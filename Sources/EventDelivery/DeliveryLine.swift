import Sync

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// What both sinks share: the bounded FIFO queue, the one delivery thread that empties it, the
/// counters, the waits (idle, backoff, shutdown) and the rate-limited log lines. The sink says how
/// many events make one request (`take`) and sends them (`deliver`); the line does the rest.
///
/// The queue, the counters and the flags are behind one `Locked`; every change the thread or a
/// waiter cares about is followed by a `WakeUp` broadcast. Nothing blocks under the lock, and the
/// log closure is called outside it.
final class DeliveryLine: Sendable {
    let name: String
    let target: String
    let options: DeliveryOptions
    private let log: @Sendable (String) -> Void
    private let state = Locked(State())
    private let wake = WakeUp()

    private struct State {
        /// The queue: `waiting[head...]`, compacted now and then rather than shifted at every take.
        var waiting: [OutgoingEvent] = []
        var head = 0
        var inFlight = 0
        var counters = SinkCounters()
        var stopping = false
        /// When shutdown gives up on the request in flight (`Monotonic.now()` nanoseconds).
        var abandonAt: UInt64?
        /// Whether the delivery thread is still in its loop.
        var running = false
        var drops = RateLimit()
        var failures = RateLimit()

        var waitingCount: Int { waiting.count - head }
    }

    /// What the thread does next.
    private enum Step {
        case stop, idle
        case deliver([OutgoingEvent])
    }

    init(name: String, target: String, options: DeliveryOptions, log: @escaping @Sendable (String) -> Void) {
        self.name = name
        self.target = target
        self.options = options
        self.log = log
    }

    /// Starts the delivery thread. `take` says how many of the waiting events (at least one, in
    /// order) make the next request; it runs under the lock, so it only looks. `deliver` sends them,
    /// with its tries, and records what came of each event (`record`, `reportFailure`).
    func start(take: @escaping @Sendable (ArraySlice<OutgoingEvent>) -> Int, deliver: @escaping @Sendable ([OutgoingEvent]) -> Void) throws(DeliveryError) {
        state.withLock { $0.running = true }
        let body = ThreadBody { [self] in run(take: take, deliver: deliver) }
        let context = Unmanaged.passRetained(body).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(
            &thread, nil,
            { context in
                guard let context else { return nil }
                Unmanaged<ThreadBody>.fromOpaque(context).takeRetainedValue().run()
                return nil
            }, context)
        guard created == 0 else {
            Unmanaged<ThreadBody>.fromOpaque(context).release()
            state.withLock { $0.running = false }
            throw DeliveryError("\(name): cannot start a delivery thread (error \(created))")
        }
        pthread_detach(thread)
    }

    func enqueue(_ event: OutgoingEvent) {
        let refusal: String? = state.withLock { state in
            guard state.stopping || state.waitingCount >= options.queueLimit else {
                state.waiting.append(event)
                return nil
            }
            state.counters.dropped += 1
            let why = state.stopping ? "the sink is shut down" : "the queue is full (\(options.queueLimit) events)"
            return state.drops.admit(at: Monotonic.now()).map { "\(name) \(target): \(why), dropped event \(Self.label(event))" + Self.since($0, "dropped") }
        }
        if let refusal { log(refusal) } else { wake.broadcast() }
    }

    func counters() -> SinkCounters {
        state.withLock { state in
            var counters = state.counters
            counters.queued = state.waitingCount + state.inFlight
            return counters
        }
    }

    func waitIdle(milliseconds: Int) -> Bool {
        let deadline = Monotonic.deadline(in: milliseconds)
        while true {
            let generation = wake.generation
            if state.withLock({ $0.waitingCount == 0 && $0.inFlight == 0 }) { return true }
            if Monotonic.now() >= deadline { return false }
            wake.wait(after: generation, until: deadline)
        }
    }

    /// Stops taking events, counts those still waiting as failed, and waits at most `milliseconds`
    /// for the thread to finish its request in flight; past that the thread is left to end by
    /// itself: its request is aborted within about a second (`shouldAbandon`), and it tries nothing more.
    func shutdown(milliseconds: Int) {
        let deadline = Monotonic.deadline(in: milliseconds)
        let lines: [String] = state.withLock { state in
            guard !state.stopping else { return [] }
            state.stopping = true
            state.abandonAt = deadline
            var lines: [String] = []
            let abandoned = state.waitingCount
            if abandoned > 0 {
                state.counters.failed += abandoned
                lines.append("\(name) \(target): shut down with \(abandoned) events waiting, abandoned")
            }
            state.waiting = []
            state.head = 0
            if state.failures.silenced > 0 { lines.append("\(name) \(target): \(state.failures.silenced) more events failed since the last line") }
            if state.drops.silenced > 0 { lines.append("\(name) \(target): \(state.drops.silenced) more events dropped since the last line") }
            return lines
        }
        wake.broadcast()
        for line in lines { log(line) }
        while true {
            let generation = wake.generation
            if !state.withLock({ $0.running }) || Monotonic.now() >= deadline { return }
            wake.wait(after: generation, until: deadline)
        }
    }

    // MARK: For `deliver`, on the delivery thread

    /// Waits the backoff before try `number`; false when the sink is shutting down (then no more tries).
    func pause(beforeTry number: Int) -> Bool {
        let deadline = Monotonic.deadline(in: options.backoff(beforeTry: number))
        while true {
            let generation = wake.generation
            if state.withLock({ $0.stopping }) { return false }
            if Monotonic.now() >= deadline { return true }
            wake.wait(after: generation, until: deadline)
        }
    }

    /// Whether the request in flight is to be given up now: shutdown's grace period is over.
    /// libcurl asks it through its progress callback.
    func shouldAbandon() -> Bool {
        state.withLock { state in state.abandonAt.map { Monotonic.now() >= $0 } ?? false }
    }

    func record(delivered: Int = 0, failed: Int = 0, retried: Int = 0) {
        state.withLock { state in
            state.counters.delivered += delivered
            state.counters.failed += failed
            state.counters.retried += retried
        }
    }

    /// Counts `event` as failed and logs why: the first failure, then at most one line per 10 s,
    /// which says how many failed in between.
    func fail(_ event: OutgoingEvent, tries: Int, _ why: String) {
        let line: String? = state.withLock { state in
            state.counters.failed += 1
            let tried = tries == 1 ? "1 try" : "\(tries) tries"
            return state.failures.admit(at: Monotonic.now()).map { "\(name) \(target): event \(Self.label(event)) failed after \(tried): \(why)" + Self.since($0, "failed") }
        }
        if let line { log(line) }
    }

    private func run(take: (ArraySlice<OutgoingEvent>) -> Int, deliver: ([OutgoingEvent]) -> Void) {
        while true {
            let generation = wake.generation
            let step: Step = state.withLock { state in
                if state.stopping { return .stop }
                let available = state.waiting[state.head...]
                guard !available.isEmpty else { return .idle }
                let count = max(1, min(take(available), available.count))
                let batch = Array(available.prefix(count))
                state.head += count
                if state.head == state.waiting.count {
                    state.waiting.removeAll(keepingCapacity: state.waiting.count <= 1024)
                    state.head = 0
                } else if state.head >= 1024, state.head * 2 >= state.waiting.count {
                    state.waiting.removeFirst(state.head)
                    state.head = 0
                }
                state.inFlight = count
                return .deliver(batch)
            }
            switch step {
            case .stop:
                state.withLock { $0.running = false }
                wake.broadcast()
                return
            case .idle:
                // Bounded like every wait; an enqueue wakes it at once.
                wake.wait(after: generation, until: Monotonic.deadline(in: 1_000))
            case .deliver(let batch):
                deliver(batch)
                state.withLock { $0.inFlight = 0 }
                wake.broadcast()
            }
        }
    }

    /// The event as a log line names it: its first resource (the job's ARN).
    static func label(_ event: OutgoingEvent) -> String {
        event.resources.first ?? "(no resource)"
    }

    private static func since(_ silenced: Int, _ what: String) -> String {
        silenced > 0 ? " (\(silenced) more \(what) since the last line)" : ""
    }
}

/// The delivery thread's work, passed to `pthread_create` as its context (retained until run).
private final class ThreadBody {
    let run: () -> Void

    init(_ run: @escaping () -> Void) {
        self.run = run
    }
}

/// One line at first, then at most one per `interval`, counting the ones kept silent in between.
struct RateLimit {
    var interval: UInt64 = 10 * 1_000_000_000
    var last: UInt64?
    private(set) var silenced = 0

    /// The number of silenced occurrences to mention when a line may be written now, else nil (counted).
    mutating func admit(at now: UInt64) -> Int? {
        if let last, now - last < interval {
            silenced += 1
            return nil
        }
        defer {
            last = now
            silenced = 0
        }
        return silenced
    }
}
