import Dispatch
import Fixtures

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
/// idle server with a running clock still sends; it also does the data work a change waits for
/// (Completed only once the results are written). Requests that change what is due wake it.
public final class EventEmitter: Sendable {
    public let log: EventLog
    let store: JobStore
    let faults: FaultBook
    private let outlets = Locked<[EventOutlet]>([])
    /// Where the worker's log lines go (each event sent, each one a rule drops); set by the server.
    let lines = Locked<@Sendable (String) -> Void>({ _ in })

    private struct State {
        /// Counts resets: events collected before one are not sent.
        var generation = 0
        /// Events a rule delays: when each is due (monotonic nanoseconds).
        var delayed: [(due: UInt64, event: JobEvent)] = []
        var running = false
        var stopping = false
        var sent = 0
        var droppedByFault = 0
        var delayedByFault = 0
    }

    private let state = Locked(State())
    /// Held while events are collected and sent, and while a reset runs: a reset never lands between
    /// a collection and its sending (the jobs' cursors would say sent what the log never got).
    private let sending = Locked(())
    private let wakeup = WakeUp()
    private let finished = DispatchSemaphore(value: 0)

    /// The longest the worker sleeps without being woken; the shortest it waits between rounds.
    static let maxSleepMilliseconds: Int64 = 500
    static let minSleepMilliseconds: Int64 = 2
    /// How soon a round looks again at a job whose data work did not finish within its wait.
    static let dataRetryMilliseconds: Int64 = 20

    init(store: JobStore, faults: FaultBook, log: EventLog = EventLog()) {
        self.store = store
        self.faults = faults
        self.log = log
        store.eventWake.withLock { $0 = { [wakeup] in wakeup.broadcast() } }
    }

    /// Starts the worker, with these outlets. Idempotent.
    public func start(outlets new: [EventOutlet] = []) {
        outlets.withLock { $0 += new }
        let starting = state.withLock { state -> Bool in
            guard !state.running, !state.stopping else { return false }
            state.running = true
            return true
        }
        guard starting else { return }
        // A weak reference: a service dropped without `stop` lets its worker end at its next wake.
        DispatchQueue(label: "mock-bedrock.events").async { [weak self, wakeup, finished] in
            while true {
                // Read before the round: a wake during the round makes the sleep after it return at once.
                let generation = wakeup.generation
                // The emitter is held for the round only, not while the worker sleeps.
                let sleep: Int64? = {
                    guard let emitter = self, !emitter.state.withLock({ $0.stopping }) else { return nil }
                    return emitter.round()
                }()
                guard let sleep else { break }
                wakeup.wait(after: generation, until: Monotonic.deadline(in: Int(sleep)))
            }
            finished.signal()
        }
    }

    /// Stops the worker (waiting at most `milliseconds` for its round to end), then the outlets,
    /// which get what remains of the bound to send what they hold.
    public func stop(milliseconds: Int = 500) {
        let wasRunning = state.withLock { state -> Bool in
            defer { state.stopping = true }
            return state.running && !state.stopping
        }
        wakeup.broadcast()
        let start = monotonicNanoseconds()
        if wasRunning { _ = finished.wait(timeout: .now() + .milliseconds(milliseconds)) }
        let left = max(0, milliseconds - Int((monotonicNanoseconds() - start) / 1_000_000))
        for outlet in outlets.withLock({ $0 }) { outlet.shutdown(left) }
    }

    /// Runs `resetStore` (the store's reset) so that no round straddles it, then empties the log and
    /// forgets delayed events: the jobs' status changes are sent again from the start.
    func reset(_ resetStore: () -> Void) {
        sending.withLock { _ in
            resetStore()
            state.withLock { state in
                state.generation += 1
                state.delayed.removeAll()
            }
            log.clear()
        }
        wakeup.broadcast()
    }

    /// One round, also for tests: the data work of due jobs, then their new status changes to the
    /// log and the outlets. Returns how long to sleep before the next round, in milliseconds.
    @discardableResult
    public func round() -> Int64 {
        store.prepareData { table, now in table.jobs.indices.filter { table.jobs[$0].data != nil && table.jobs[$0].events.due <= now } }
        return sending.withLock { _ -> Int64 in
            let collected = store.collectChanges(notBefore: store.clockStartMillis)
            let realNow = store.realTime()
            var ready: [JobEvent] = []
            for found in collected.changes {
                let event = JobEvent(jobArn: found.arn, jobName: found.name, modelId: found.modelId, change: found.change, creationTime: found.submit)
                guard let fault = faults.eventRule(jobId: event.jobArn.jobId, jobArn: event.jobArn.description, status: event.status) else {
                    ready.append(event)
                    continue
                }
                if fault.rule.spec.event == .drop {
                    state.withLock { $0.droppedByFault += 1 }
                    lines.withLock { $0 }("event for \(event.jobArn.jobId) \(event.status.rawValue) dropped by \(fault.rule.id)")
                } else {
                    state.withLock { state in
                        state.delayedByFault += 1
                        state.delayed.append((realNow + UInt64(fault.delayMilliseconds) * 1_000_000, event))
                    }
                }
            }
            let due = state.withLock { state -> [JobEvent] in
                let (now, later) = (state.delayed.filter { $0.due <= realNow }, state.delayed.filter { $0.due > realNow })
                state.delayed = later
                return now.map(\.event)
            }
            publish(ready + due)
            return sleep(untilClock: collected.due, now: collected.now, realNow: realNow)
        }
    }

    /// Numbers the events in the log and hands them to every outlet.
    private func publish(_ events: [JobEvent]) {
        guard !events.isEmpty else { return }
        let numbered = log.append(events)
        state.withLock { $0.sent += numbered.count }
        let targets = outlets.withLock { $0 }
        let lines = lines.withLock { $0 }
        for event in numbered {
            lines("event \(event.sequence) \(event.jobArn.jobId) \(event.status.rawValue) at \(JobEvent.isoSeconds(event.at))")
            for outlet in targets { outlet.send(event) }
        }
    }

    /// Real milliseconds until the clock reaches `due` (at its current rate), or a delayed event is
    /// due, within the sleep bounds.
    private func sleep(untilClock due: Int64, now: Int64, realNow: UInt64) -> Int64 {
        // A job whose data work is still running is due again at once: look again soon, not in a loop.
        if due <= now { return Self.dataRetryMilliseconds }
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

    /// Waits at most `milliseconds` until every outlet has sent what it holds; true when all have.
    public func waitForOutlets(milliseconds: Int) -> Bool {
        let deadline = monotonicNanoseconds() + UInt64(max(0, milliseconds)) * 1_000_000
        for outlet in outlets.withLock({ $0 }) {
            let left = deadline > monotonicNanoseconds() ? Int((deadline - monotonicNanoseconds()) / 1_000_000) : 0
            if !outlet.waitIdle(left) { return false }
        }
        return true
    }

    /// The counters for `GET /_mock/stats`.
    func counters() -> (sent: Int, droppedByFault: Int, delayedByFault: Int, waiting: Int, outlets: [EventOutlet]) {
        let (sent, dropped, delayed, waiting) = state.withLock { ($0.sent, $0.droppedByFault, $0.delayedByFault, $0.delayed.count) }
        return (sent, dropped, delayed, waiting, outlets.withLock { $0 })
    }
}
