import Fixtures

/// A status change of a job, with what an event says of the job.
struct JobStatusChange: Sendable {
    let arn: JobARN
    let name: String
    let modelId: String
    let submit: Int64
    let change: StatusChange
}

extension JobStore {
    /// The status changes not sent yet of the jobs due at the clock's time, in the order they
    /// happened (by instant, then job), each job's marked sent; changes before `start` (a fixture
    /// job's history before the clock's start) are marked without being returned. Also returns the
    /// earliest instant a job is due next (`Int64.max`: none until told) and the clock's time.
    func collectChanges(notBefore start: Int64) -> (changes: [JobStatusChange], due: Int64, now: Int64) {
        var found: [(at: Int64, position: Int, change: JobStatusChange)] = []
        var due = Int64.max
        var now: Int64 = 0
        var next = 0
        // A slice of the jobs per hold of the lock: a first round over 100,000 jobs on the clock must
        // not hold every request up while it runs.
        while true {
            let more =
                (try? withState { state -> Bool in
                    now = state.now
                    let end = min(state.table.jobs.count, next + Self.eventSlice)
                    for position in next..<end {
                        collect(&state, position, notBefore: start, into: &found, due: &due)
                    }
                    next = end
                    return end < state.table.jobs.count
                }) ?? false
            if !more { break }
        }
        found.sort { ($0.at, $0.position) < ($1.at, $1.position) }
        return (found.map(\.change), due, now)
    }

    /// Jobs looked at per hold of the store's lock by `collectChanges`.
    static let eventSlice = 2_048

    /// The new changes of the job at `position`, if it is due, into `found`; its cursor moved on.
    private func collect(
        _ state: inout State, _ position: Int, notBefore start: Int64, into found: inout [(at: Int64, position: Int, change: JobStatusChange)],
        due: inout Int64
    ) {
        let now = state.now
        let cursorDue = state.table.jobs[position].events.due
        guard cursorDue <= now else {
            due = min(due, cursorDue)
            return
        }
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
        // Data work not done yet (it was waited for, within its bound, just before): look again.
        let waiting = job.data != nil && state.table.jobs[position].snapshot(at: now, isPoll: false).need != nil
        cursor.due = waiting ? now : job.nextStatusChange(after: now)
        state.table.jobs[position].events = cursor
        due = min(due, cursor.due)
    }

    /// The changes after the last one sent. Normally those past `cursor.sent`; when what went before
    /// reads differently now (a stop met pending data work), those after the last change sent.
    static func unsent(_ changes: [StatusChange], _ cursor: EventCursor) -> ArraySlice<StatusChange> {
        guard let last = cursor.last else { return changes[...] }
        if cursor.sent <= changes.count, cursor.sent > 0, changes[cursor.sent - 1] == last { return changes[cursor.sent...] }
        if let index = changes.lastIndex(of: last) { return changes[(index + 1)...] }
        return changes[...].filter { $0.at > last.at }[...]
    }

    /// Marks the job `position` names as due now (a Get moved a `polls` phase, data work was done)
    /// and tells the event worker.
    func markDue(_ state: inout State, _ position: Int) {
        state.table.jobs[position].events.due = min(state.table.jobs[position].events.due, state.now)
    }

    /// Tells the event worker to look at the jobs (a clock change, a new job, a stop).
    func wakeEvents() {
        eventWake.withLock { $0 }?()
    }
}
