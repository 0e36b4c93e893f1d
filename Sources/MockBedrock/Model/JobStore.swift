import Fixtures
import Synchronization

/// Every job the mock knows, by id, and the clock that moves them; one lock guards both, so a Get
/// never sees a job at one instant and the clock at another. Safe to use from libmicrohttpd's threads.
public final class JobStore: Sendable {
    struct State {
        var clock: LifecycleClock
        var jobs: [String: Job]
    }

    private let state: Mutex<State>
    private let initialJobs: [String: Job]
    private let clockStart: Timestamp
    private let clockRate: Double
    private let realTime: @Sendable () -> UInt64

    /// - Parameters:
    ///   - clockStart: the clock's time when the store is made (and after `reset()`).
    ///   - clockRate: simulated seconds per real second; 0 freezes the clock.
    ///   - realTime: the real monotonic time in nanoseconds the clock runs on (tests pass their own).
    public init(_ jobs: [Job] = [], clockStart: Timestamp = .wallClockNow(), clockRate: Double = 1, realTime: @escaping @Sendable () -> UInt64 = monotonicNanoseconds) {
        let byId = Dictionary(jobs.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.initialJobs = byId
        self.clockStart = clockStart
        self.clockRate = clockRate
        self.realTime = realTime
        self.state = Mutex(State(clock: LifecycleClock(startMillis: clockStart.milliseconds, rate: clockRate, realNow: realTime()), jobs: byId))
    }

    public convenience init(fixtures: [FixtureJob], clockStart: Timestamp = .wallClockNow(), clockRate: Double = 1, realTime: @escaping @Sendable () -> UInt64 = monotonicNanoseconds) {
        self.init(fixtures.map(Job.init(fixture:)), clockStart: clockStart, clockRate: clockRate, realTime: realTime)
    }

    public var count: Int { state.withLock { $0.jobs.count } }

    /// The Get response body of the job an identifier names, at the clock's time. A Get counts as
    /// a poll (`isPoll`; a HEAD does not). An ARN must match the job's ARN whole (partition, region
    /// and account); a job on the clock does not exist before its `submitTime`.
    public func getBody(_ identifier: JobIdentifier, isPoll: Bool = true) -> [UInt8]? {
        state.withLock { state in
            let now = state.clock.now(realNow: realTime())
            guard let id = Self.find(identifier, in: state.jobs, at: now) else { return nil }
            return state.jobs[id]!.body(at: now, isPoll: isPoll)
        }
    }

    /// The job's record as it stands at the clock's time, without counting a poll.
    public func record(_ identifier: JobIdentifier) -> JobRecord? {
        state.withLock { state in
            let now = state.clock.now(realNow: realTime())
            guard let id = Self.find(identifier, in: state.jobs, at: now) else { return nil }
            return state.jobs[id]!.snapshot(at: now, isPoll: false).0
        }
    }

    private static func find(_ identifier: JobIdentifier, in jobs: [String: Job], at now: Int64) -> String? {
        guard let job = jobs[identifier.jobId] else { return nil }
        if case .arn(let arn) = identifier, arn != job.arn { return nil }
        if job.lifecycle != nil, now < job.record.submitTime.milliseconds { return nil }
        return job.id
    }

    // MARK: - The clock

    /// The clock's time and rate.
    public func clock() -> (now: Timestamp, rate: Double) {
        state.withLock { (Timestamp(milliseconds: $0.clock.now(realNow: realTime())), $0.clock.rate) }
    }

    /// Changes the clock: `set` it to an instant, then `advance` it, then change its `rate`.
    /// The clock never goes back (a `set` before the current time is refused) and never passes
    /// `LifecycleClock.end`. Nothing changes unless all of it can.
    public func updateClock(set: Timestamp? = nil, advanceMillis: Int64? = nil, rate: Double? = nil) throws(ClockUpdateError) -> (now: Timestamp, rate: Double) {
        try state.withLock { (state: inout State) throws(ClockUpdateError) -> (now: Timestamp, rate: Double) in
            let now = realTime()
            let current = state.clock.now(realNow: now)
            if let set {
                guard set.milliseconds >= current else { throw .setBeforeNow(current: Timestamp(milliseconds: current)) }
                guard set.milliseconds <= LifecycleClock.end else { throw .pastTheEnd(field: "set") }
            }
            if let advanceMillis, (set?.milliseconds ?? current) > LifecycleClock.end - advanceMillis { throw .pastTheEnd(field: "advance") }
            if let set { state.clock.set(set.milliseconds, realNow: now) }
            if let advanceMillis { state.clock.advance(by: advanceMillis, realNow: now) }
            if let rate { state.clock.setRate(rate, realNow: now) }
            return (Timestamp(milliseconds: state.clock.now(realNow: now)), state.clock.rate)
        }
    }

    /// Restores the jobs as loaded and the clock as at start (its start time and rate).
    public func reset() {
        state.withLock { state in
            state = State(clock: LifecycleClock(startMillis: clockStart.milliseconds, rate: clockRate, realNow: realTime()), jobs: initialJobs)
        }
    }
}

/// Why the clock refused a change.
public enum ClockUpdateError: Error, Sendable {
    case setBeforeNow(current: Timestamp)
    /// The change would take the clock past `LifecycleClock.end`.
    case pastTheEnd(field: String)
}
