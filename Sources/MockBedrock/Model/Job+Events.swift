import Fixtures

/// What the event worker has sent of a job's status changes, and when to look at the job again.
struct EventCursor: Sendable {
    /// How many of the job's status changes have been sent (or passed over: those before the clock's start).
    var sent = 0
    /// The last change sent or passed over.
    var last: StatusChange?
    /// The clock instant at which the job may next change status; `Int64.max`: only when told (a
    /// Get on a `polls` phase, a stop, data work done).
    var due: Int64 = .max
}

extension Job {
    /// Every status change the job has made up to clock time `now`, in order, as its answers show
    /// them: each one a clock jump passed over is there at its own instant; a change whose data
    /// work is not done (the input's check, the results' write) is not there yet, just as a Get
    /// shows the job as it was before it (`snapshot`). A job served as written has none until it is
    /// stopped. Reads the job only (a copy of `progress` is used).
    func statusChanges(upTo now: Int64) -> [StatusChange] {
        if let stop, now >= stop.at {
            var changes = lifecycle.map { timeline($0, upTo: stop.at) } ?? []
            // The stop found the job in the status its record has: what came after that is not shown.
            if let status = stop.record.status, let index = changes.lastIndex(where: { $0.status == status }) {
                changes.removeSubrange((index + 1)...)
            }
            changes.append(StatusChange(status: .stopping, at: stop.at))
            let stopped = stop.at + Self.stoppingMillis
            if now >= stopped, !stopWritePending { changes.append(StatusChange(status: .stopped, at: stopped)) }
            return changes
        }
        guard let lifecycle, exists(at: now) else { return [] }
        return timeline(lifecycle, upTo: now)
    }

    /// The changes of a job not stopped by a request, up to `now`.
    private func timeline(_ lifecycle: Lifecycle, upTo now: Int64) -> [StatusChange] {
        let submit = record.submitTime.milliseconds
        guard now >= submit else { return [] }
        guard let data else { return lifecycle.transitions(submit: submit, upTo: now, progress: progress) }
        // Before the job leaves Validating, the lifecycle alone decides (as in `snapshot`).
        guard let leave = lifecycle.validationEnd(submit: submit, progress: progress), now >= leave, leave <= submit + lifecycle.timeoutMillis else {
            return lifecycle.transitions(submit: submit, upTo: now, progress: progress)
        }
        let before = lifecycle.transitions(submit: submit, upTo: max(submit, leave - 1), progress: progress)
        switch data.scan {
        case .pending:
            return before
        case .failed(let message):
            return before + [StatusChange(status: .failed, at: leave, message: message)]
        case .ready(_, let dataLifecycle):
            var changes = dataLifecycle.transitions(submit: submit, upTo: now, progress: progress)
            guard let last = changes.last, [.completed, .partiallyCompleted, .stopped].contains(last.status) else { return changes }
            if let failure = data.writeFailure {
                changes[changes.count - 1] = StatusChange(status: .failed, at: last.at, message: failure)
                return changes
            }
            var copy = progress
            let processed = Int(dataLifecycle.position(submit: submit, now: now, progress: &copy, isPoll: false).counts?.processed ?? 0)
            if data.written != processed { changes.removeLast() }  // shown once its results are written
            return changes
        }
    }

    /// True while a stopped job's results are not written: it stays Stopping until they are.
    private var stopWritePending: Bool {
        guard let stop, let data, case .ready = data.scan, let processed = stop.record.processedRecordCount else { return false }
        return data.written != Int(processed) && data.writeFailure == nil
    }

    /// The instant of the job's latest status change up to `now` by its lifecycle and stop alone
    /// (data work aside): whether the changes waiting for data work send anything.
    func latestStatusChange(upTo now: Int64) -> Int64? {
        if let stop, now >= stop.at { return now >= stop.at + Self.stoppingMillis ? stop.at + Self.stoppingMillis : stop.at }
        guard let lifecycle, exists(at: now) else { return nil }
        return lifecycle.transitions(submit: record.submitTime.milliseconds, upTo: now, progress: progress).last?.at
    }

    /// The first clock instant after `now` at which the job can change status without being told
    /// (`EventCursor.due`).
    func nextStatusChange(after now: Int64) -> Int64 {
        if let stop {
            let stopped = stop.at + Self.stoppingMillis
            return stop.at > now ? stop.at : stopped > now ? stopped : .max
        }
        guard let lifecycle else { return .max }
        let submit = record.submitTime.milliseconds
        if now < submit { return submit }
        return lifecycle.nextChange(submit: submit, after: now, progress: progress) ?? .max
    }
}
