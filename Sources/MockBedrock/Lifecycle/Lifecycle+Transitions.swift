import Fixtures

/// One status change of a job: the status it entered, the clock instant it entered it, and the
/// job's message from then (why it failed, expired or ended partly done).
public struct StatusChange: Sendable, Equatable {
    public var status: JobStatus
    public var at: Int64
    public var message: String?

    public init(status: JobStatus, at: Int64, message: String? = nil) {
        self.status = status
        self.at = at
        self.message = message
    }
}

extension Lifecycle {
    /// Every status the job has entered from `submit` up to and including `now`, in order, each with
    /// the instant it began: also the ones a clock jump passed over (an advance of 3 h gives each
    /// phase between). `position` is the oracle: it is asked at each instant a change can happen (a
    /// phase's start, the timeout) and at `now`, so the changes agree with what a Get answers at
    /// any of those instants. For lifecycle events (issue 18); `progress` is read, never changed.
    public func transitions(submit: Int64, upTo now: Int64, progress: LifecycleProgress) -> [StatusChange] {
        guard now >= submit else { return [] }
        var instants: [Int64] = [submit]
        var start = submit
        for (index, phase) in phases.enumerated() {
            let end = end(of: phase, index, start: start, progress)
            guard let end, end <= now else { break }
            instants.append(end)
            start = end
        }
        let expiry = submit + timeoutMillis
        if expiry <= now { instants.append(expiry) }
        instants.append(now)
        var changes: [StatusChange] = []
        for instant in Set(instants).sorted() {
            var copy = progress
            let position = position(submit: submit, now: instant, progress: &copy, isPoll: false)
            if changes.last?.status != position.status {
                changes.append(StatusChange(status: position.status, at: position.since, message: position.message))
            }
        }
        return changes
    }
}

extension Lifecycle {
    /// The first instant after `now` at which the job can change status by time alone (a timed
    /// phase ends, or the timeout passes); nil when none comes: the lifecycle has reached its final
    /// phase, or waits on Gets (a `polls` phase), which tell the event worker themselves.
    public func nextChange(submit: Int64, after now: Int64, progress: LifecycleProgress) -> Int64? {
        let expiry = submit + timeoutMillis
        var start = submit
        for (index, phase) in phases.enumerated() {
            let end = end(of: phase, index, start: start, progress)
            guard let end else {
                // The timeout can still end a final or polls phase that waits to run, or is in progress.
                return expiry > now && (phase.status.isWaitingToRun || phase.status == .inProgress) ? expiry : nil
            }
            if end > now { return min(end, expiry > now ? expiry : end) }
            start = end
        }
        return nil
    }
}
