import Dispatch
import Fixtures
import Logging
import Sync

/// A place events go besides the log: a webhook, an EventBridge-compatible endpoint. The command
/// makes them (Sources/EventDelivery); the emitter only hands them events, which must not block.
public struct EventOutlet: Sendable {
    /// `webhook` or `eventbridge`.
    public let name: String
    /// Where it sends, for stats and logs (no credentials).
    public let target: String
    /// Takes one event; never blocks on I/O.
    public let send: @Sendable (JobEvent) -> Void
    /// Its counters, by name (`delivered`, `failed`, `dropped`, ...), for `GET /_mock/stats`.
    public let counters: @Sendable () -> [(name: String, value: Int)]
    /// Waits at most the given milliseconds until nothing waits to be sent; true when idle.
    public let waitIdle: @Sendable (Int) -> Bool
    /// Stops it within the given milliseconds.
    public let shutdown: @Sendable (Int) -> Void

    public init(
        name: String, target: String, send: @escaping @Sendable (JobEvent) -> Void, counters: @escaping @Sendable () -> [(name: String, value: Int)],
        waitIdle: @escaping @Sendable (Int) -> Bool = { _ in true }, shutdown: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        self.name = name
        self.target = target
        self.send = send
        self.counters = counters
        self.waitIdle = waitIdle
        self.shutdown = shutdown
    }
}

/// Turns every status change of every job into an event, in order per job, stamped with the clock
/// instant of the change (also each one a clock jump passes over), and hands the events to the log
/// and the outlets, after the event fault rules. A worker thread drives it from the clock, so an
/// idle server with a running clock still sends; it starts the data work a change waits for
/// (Completed only once the results are written) without waiting for it. Requests that change what
/// is due wake it (the store's `eventWakeUp`). One emitter a store.
public final class EventEmitter: Sendable {
    public let log: EventLog
    let store: JobStore
    let faults: FaultBook
    private let outlets = Locked<[EventOutlet]>([])
    /// Where the worker's log lines go (each event sent, each one a rule drops, at info); set by the server.
    let logger = Locked<Logger?>(nil)

    private struct State {
        /// Events a rule delays: when each is due (the store's real-time nanoseconds).
        var delayed: [(due: UInt64, event: JobEvent)] = []
        /// The running worker's end: signalled when its loop ends; nil when no worker runs.
        var finished: DispatchSemaphore?
        var stopping = false
        var sent = 0
        var droppedByFault = 0
        var delayedByFault = 0
    }

    private let state = Locked(State())
    /// Held while events are collected and sent, and while a reset runs: a reset never lands between
    /// a collection and its sending (the jobs' cursors would say sent what the log never got).
    private let sending = Locked(())
    /// The store's: what wakes the worker.
    private var wakeup: WakeUp { store.eventWakeUp }

    /// The longest the worker sleeps without being woken; the shortest it waits between rounds.
    static let maxSleepMilliseconds: Int64 = 500
    static let minSleepMilliseconds: Int64 = 2
    /// Events a delay rule may hold at once; past it, what a rule would delay is dropped (and counted).
    static let maxDelayed = EventLog.defaultCapacity

    init(store: JobStore, faults: FaultBook, log: EventLog = EventLog()) {
        self.store = store
        self.faults = faults
        self.log = log
    }

    /// Starts the worker with these outlets (they replace any earlier ones). A worker that runs goes
    /// on (one still ending after a `stop` is kept on instead of a new one).
    public func start(outlets new: [EventOutlet] = []) {
        outlets.withLock { $0 = new }
        let finished = DispatchSemaphore(value: 0)
        let starting = state.withLock { state -> Bool in
            state.stopping = false
            guard state.finished == nil else { return false }
            state.finished = finished
            return true
        }
        guard starting else { return }
        // A weak reference: a service dropped without `stop` lets its worker end at its next wake.
        DispatchQueue(label: "mock-bedrock.events").async { [weak self, wakeup] in
            while true {
                // Read before the round: a wake during the round makes the sleep after it return at once.
                let generation = wakeup.generation
                // The emitter is held for the round only, not while the worker sleeps. Whether to go on
                // is decided with the end marked under one lock, so that `start` either keeps this
                // worker on or finds it gone.
                let sleep: Int64? = {
                    guard let emitter = self else { return nil }
                    let goOn = emitter.state.withLock { state -> Bool in
                        guard state.stopping else { return true }
                        if state.finished === finished { state.finished = nil }
                        return false
                    }
                    return goOn ? emitter.round() : nil
                }()
                guard let sleep else { break }
                wakeup.wait(after: generation, until: Monotonic.deadline(in: Int(sleep)))
            }
            finished.signal()
        }
    }

    /// Stops the worker (waiting at most half of `milliseconds` for its round to end), then the
    /// outlets, which get what remains of the bound to send what they hold, then give up.
    public func stop(milliseconds: Int = 500) {
        let finished = state.withLock { state -> DispatchSemaphore? in
            state.stopping = true
            return state.finished
        }
        wakeup.broadcast()
        let deadline = Monotonic.deadline(in: milliseconds)
        if let finished { _ = finished.wait(timeout: .now() + .milliseconds(milliseconds / 2)) }
        func left() -> Int { Int((deadline > Monotonic.now() ? deadline - Monotonic.now() : 0) / 1_000_000) }
        let targets = outlets.current
        for outlet in targets where !outlet.waitIdle(left()) { break }
        for outlet in targets { outlet.shutdown(left()) }
    }

    /// Runs `resetStore` (the store's reset) so that no round straddles it, then empties the log and
    /// forgets delayed events: the jobs' status changes are sent again from the start.
    func reset(_ resetStore: () -> Void) {
        sending.withLock { _ in
            resetStore()
            state.withLock { $0.delayed.removeAll() }
            log.clear()
        }
        wakeup.broadcast()
    }

    /// Jobs looked at per hold of the store's lock, and so per batch of events: a clock jump over
    /// 100,000 jobs neither holds requests (or a reset) up nor builds all its events at once.
    static let slice = 1_024

    /// One round, also for tests: the due jobs' new status changes, a slice of jobs at a time,
    /// through the fault rules, to the log and the outlets, and the data work the slice's changes
    /// wait for started (its end wakes the worker); then the delayed events now due. Returns how
    /// long to sleep before the next round, in milliseconds.
    @discardableResult
    public func round() -> Int64 {
        let start = store.clockStartMillis
        let due = store.takeDueJobs()
        var next = due.positions.startIndex
        while next < due.positions.endIndex {
            let slice = due.positions[next..<min(due.positions.endIndex, next + Self.slice)]
            next = slice.endIndex
            // A reset waits for one slice at most; the slices after it find the generation changed.
            let works = sending.withLock { _ -> [DataWork] in
                let collected = store.collectChanges(slice, at: due.now, generation: due.generation, notBefore: start)
                publish(passFaults(collected.changes.map(JobEvent.init), realNow: store.realTime()))
                return collected.works
            }
            if !works.isEmpty, let dataPlane = store.dataPlane {
                // Started, not waited for; work a request did meanwhile, or a reset made stale, is not run.
                dataPlane.start(works, waiting: false, isNeeded: store.stillNeeds, apply: store.applyData)
            }
        }
        let realNow = store.realTime()
        sending.withLock { _ in
            let now = state.withLock { state -> [JobEvent] in
                var now: [JobEvent] = []
                var later: [(due: UInt64, event: JobEvent)] = []
                for held in state.delayed {
                    if held.due <= realNow { now.append(held.event) } else { later.append(held) }
                }
                state.delayed = later
                return now
            }
            publish(now)
        }
        return sleep(untilClock: store.nextEventDue(), now: store.clock().now.milliseconds, realNow: realNow)
    }

    /// The events no rule drops or delays; the delayed ones are held.
    private func passFaults(_ events: [JobEvent], realNow: UInt64) -> [JobEvent] {
        var ready: [JobEvent] = []
        ready.reserveCapacity(events.count)
        for event in events {
            guard let fault = faults.eventRule(jobId: event.jobArn.jobId, jobArn: event.jobArn.description, status: event.status) else {
                ready.append(event)
                continue
            }
            let held =
                fault.rule.spec.event == .delay
                && state.withLock { state -> Bool in
                    guard state.delayed.count < Self.maxDelayed else { return false }
                    state.delayedByFault += 1
                    state.delayed.append((realNow + UInt64(fault.delayMilliseconds) * 1_000_000, event))
                    return true
                }
            if !held {
                state.withLock { $0.droppedByFault += 1 }
                let why = fault.rule.spec.event == .drop ? "dropped by \(fault.rule.id)" : "dropped: \(Self.maxDelayed) events are delayed already"
                logger.current?.info("event for \(event.jobArn.jobId) \(event.status.rawValue) \(why)")
            }
        }
        return ready
    }

    /// Numbers the events in the log and hands them to every outlet.
    private func publish(_ events: [JobEvent]) {
        guard !events.isEmpty else { return }
        let numbered = log.append(events)
        state.withLock { $0.sent += numbered.count }
        let targets = outlets.current
        let logger = logger.current
        for event in numbered {
            logger?.info("event \(event.sequence) \(event.jobArn.jobId) \(event.status.rawValue) at \(JobEvent.isoSeconds(event.at))")
            for outlet in targets { outlet.send(event) }
        }
    }

    /// Real milliseconds until the clock reaches `due` (at its current rate), or a delayed event is
    /// due, within the sleep bounds.
    private func sleep(untilClock due: Int64, now: Int64, realNow: UInt64) -> Int64 {
        var milliseconds = Self.maxSleepMilliseconds
        let rate = store.clock().rate
        if due != .max, rate > 0 {
            let clockMilliseconds = Double(max(0, due - now)) / rate
            milliseconds = min(milliseconds, Int64(clockMilliseconds.rounded(.up)))
        }
        if let next = state.withLock({ $0.delayed.map(\.due).min() }) {
            milliseconds = min(milliseconds, Int64((next > realNow ? next - realNow : 0) / 1_000_000) + 1)
        }
        return max(Self.minSleepMilliseconds, milliseconds)
    }

    /// The counters for `GET /_mock/stats`.
    func counters() -> (sent: Int, droppedByFault: Int, delayedByFault: Int, waiting: Int, outlets: [EventOutlet]) {
        let (sent, dropped, delayed, waiting) = state.withLock { ($0.sent, $0.droppedByFault, $0.delayedByFault, $0.delayed.count) }
        return (sent, dropped, delayed, waiting, outlets.current)
    }
}

extension JobEvent {
    init(_ found: JobStatusChange) {
        self.init(jobArn: found.arn, jobName: found.name, modelId: found.modelId, change: found.change, creationTime: found.submit)
    }
}
