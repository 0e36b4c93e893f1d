import Fixtures

/// One status change of a job: the status it entered, and the clock instant it entered it.
public struct StatusChange: Sendable, Equatable {
    public var status: JobStatus
    public var at: Int64

    public init(status: JobStatus, at: Int64) {
        self.status = status
        self.at = at
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
            let end: Int64? =
                switch phase.length {
                case .duration(let milliseconds): start + milliseconds
                case .polls: progress.pollEnds[index]
                case .final: nil
                }
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
                changes.append(StatusChange(status: position.status, at: position.since))
            }
        }
        return changes
    }
}
