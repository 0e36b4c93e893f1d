import Fixtures
import HeapModule
import Sync

/// A status change of a job, with what an event says of the job.
struct JobStatusChange: Sendable {
    let arn: JobARN
    let name: String
    let modelId: String
    let submit: Int64
    let change: StatusChange
}

/// A job the event worker is to look at, at an instant: an entry of `JobStore.State.eventQueue`.
/// An entry whose instant is no longer the job's `EventCursor.due` is stale and skipped.
struct EventDue: Comparable, Sendable {
    let due: Int64
    let position: Int

    static func < (lhs: EventDue, rhs: EventDue) -> Bool {
        (lhs.due, lhs.position) < (rhs.due, rhs.position)
    }
}

extension JobStore.State {
    /// Queues the job at `position` for the event worker at its cursor's `due` (none when `.max`).
    mutating func scheduleEvents(_ position: Int) {
        let due = table.jobs[position].events.due
        if due != .max { eventQueue.insert(EventDue(due: due, position: position)) }
    }

    /// The queue of every job on the clock in `table`, at its first instant.
    static func eventQueue(of table: JobTable) -> Heap<EventDue> {
        Heap(table.jobs.indices.compactMap { table.jobs[$0].events.due == .max ? nil : EventDue(due: table.jobs[$0].events.due, position: $0) })
    }
}

extension JobStore {
    /// Takes the jobs due at the clock's time out of the queue: their positions (each once), the
    /// clock's time, and the store's generation (`collectChanges` looks at them only in it).
    func takeDueJobs() -> (positions: [Int], now: Int64, generation: Int) {
        (try? withState { state -> ([Int], Int64, Int) in
            var seen = Set<Int>()
            var positions: [Int] = []
            while let first = state.eventQueue.min, first.due <= state.now {
                _ = state.eventQueue.popMin()
                guard first.position < state.table.jobs.count, state.table.jobs[first.position].events.due == first.due,
                    seen.insert(first.position).inserted
                else { continue }
                positions.append(first.position)
            }
            return (positions, state.now, state.generation)
        }) ?? ([], 0, 0)
    }

    /// The status changes not sent yet of the jobs at `positions` up to `now`, in the order they
    /// happened (by instant, then job; each job's in order), their cursors moved on and queued
    /// again; and the data work to start (a change that waits for it: the job is queued again
    /// when it is done). Changes before `start` (a fixture job's history before the clock's start)
    /// are passed over. Nothing when a reset came since `generation` (its queue has every job).
    func collectChanges(_ positions: ArraySlice<Int>, at now: Int64, generation: Int, notBefore start: Int64) -> (
        changes: [JobStatusChange], works: [DataWork]
    ) {
        var found: [(at: Int64, position: Int, change: JobStatusChange)] = []
        var works: [DataWork] = []
        try? withState { state in
            guard state.generation == generation else { return }
            for position in positions where position < state.table.jobs.count {
                collect(&state, position, at: now, notBefore: start, into: &found, works: &works)
            }
        }
        found.sort { ($0.at, $0.position) < ($1.at, $1.position) }
        return (found.map(\.change), works)
    }

    /// The earliest instant a job is due (`Int64.max`: none until told).
    func nextEventDue() -> Int64 {
        ((try? withState { $0.eventQueue.min?.due }) ?? nil) ?? .max
    }

    /// The new changes of the job at `position` into `found`; its cursor moved on and queued again.
    private func collect(
        _ state: inout State, _ position: Int, at now: Int64, notBefore start: Int64, into found: inout [(at: Int64, position: Int, change: JobStatusChange)],
        works: inout [DataWork]
    ) {
        let job = state.table.jobs[position]
        let changes = job.statusChanges(upTo: now)
        var cursor = job.events
        for change in Self.unsent(changes, cursor) where change.at >= start {
            let new = JobStatusChange(
                arn: job.arn, name: job.record.jobName ?? "", modelId: job.record.modelId, submit: job.record.submitTime.milliseconds, change: change)
            found.append((change.at, position, new))
        }
        cursor.sent = changes.count
        cursor.last = changes.last ?? cursor.last
        cursor.due = job.nextStatusChange(after: now)
        // A change that waits for data work: the work starts now, and when it is done `applyData`
        // queues the job again. Not for a job whose changes so far are all history (before the
        // clock's start, sending nothing): its input is read when it next changes, or a request asks.
        if job.data != nil, let need = state.table.jobs[position].snapshot(at: now, isPoll: false).need,
            (job.latestStatusChange(upTo: now) ?? .min) >= start
        {
            works.append(state.work(position, need))
            cursor.due = .max
        }
        state.table.jobs[position].events = cursor
        state.scheduleEvents(position)
    }

    /// The changes after the last one sent. Normally those past `cursor.sent`; when what went before
    /// reads differently now (a stop met pending data work), those after the last change sent.
    static func unsent(_ changes: [StatusChange], _ cursor: EventCursor) -> ArraySlice<StatusChange> {
        guard let last = cursor.last else { return changes[...] }
        if cursor.sent <= changes.count, cursor.sent > 0, changes[cursor.sent - 1] == last { return changes[cursor.sent...] }
        if let index = changes.lastIndex(of: last) { return changes[(index + 1)...] }
        return changes[...].filter { $0.at > last.at }[...]
    }

    /// Queues the job at `position` for the event worker now (a Get ended a `polls` phase, data work
    /// was done, a stop). The caller wakes the worker (`wakeEvents`) once it has let go of the lock.
    func markDue(_ state: inout State, _ position: Int) {
        state.table.jobs[position].events.due = min(state.table.jobs[position].events.due, state.now)
        state.eventQueue.insert(EventDue(due: state.now, position: position))
    }

    /// Tells the event worker to look at the jobs (a clock change, a new job, a stop).
    func wakeEvents() {
        eventWakeUp.broadcast()
    }
}
