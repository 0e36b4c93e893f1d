import Fixtures

/// Every job the mock knows and the clock that moves them; one lock guards both, so a request
/// never sees a job at one instant and the clock at another. Safe to use from libmicrohttpd's threads.
public final class JobStore: Sendable {
    struct State {
        var clock: LifecycleClock
        var table: JobTable
        var now: Int64 = 0
    }

    let state: Locked<State>
    private let initialTable: JobTable
    private let clockStart: Timestamp
    private let clockRate: Double
    let realTime: @Sendable () -> UInt64

    /// - Parameters:
    ///   - clockStart: the clock's time when the store is made (and after `reset()`).
    ///   - clockRate: simulated seconds per real second; 0 freezes the clock.
    ///   - realTime: the real monotonic time in nanoseconds the clock runs on (tests pass their own).
    public init(_ jobs: [Job] = [], clockStart: Timestamp = .wallClockNow(), clockRate: Double = 1, realTime: @escaping @Sendable () -> UInt64 = monotonicNanoseconds) {
        let table = JobTable(jobs)
        self.initialTable = table
        self.clockStart = clockStart
        self.clockRate = clockRate
        self.realTime = realTime
        self.state = Locked(State(clock: LifecycleClock(startMillis: clockStart.milliseconds, rate: clockRate, realNow: realTime()), table: table))
    }

    public convenience init(fixtures: [FixtureJob], clockStart: Timestamp = .wallClockNow(), clockRate: Double = 1, realTime: @escaping @Sendable () -> UInt64 = monotonicNanoseconds) {
        self.init(fixtures.compactMap(Job.init(fixture:)), clockStart: clockStart, clockRate: clockRate, realTime: realTime)
    }

    /// Runs `body` under the lock with the clock's time in `state.now`.
    func withState<Result>(_ body: (inout State) throws(AWSError) -> Result) throws(AWSError) -> Result {
        try state.withLock { (state: inout State) throws(AWSError) -> Result in
            state.now = state.clock.now(realNow: realTime())
            return try body(&state)
        }
    }

    public var count: Int { state.withLock { $0.table.jobs.count } }

    /// The Get response body of the job an identifier names, for a caller in `scope`, at the clock's
    /// time. A Get counts as a poll (`isPoll`; a HEAD does not).
    public func getBody(_ identifier: JobIdentifier, in scope: Scope, isPoll: Bool = true) -> [UInt8]? {
        try? withState { state in
            guard let position = state.table.find(identifier, in: scope, at: state.now) else { return nil }
            return state.table.jobs[position].body(at: state.now, isPoll: isPoll)
        }
    }

    /// The job's record as it stands at the clock's time, without counting a poll.
    public func record(_ identifier: JobIdentifier, in scope: Scope) -> JobRecord? {
        try? withState { state in
            guard let position = state.table.find(identifier, in: scope, at: state.now) else { return nil }
            return state.table.jobs[position].snapshot(at: state.now, isPoll: false).record
        }
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

    /// Restores the jobs as loaded (created jobs, stops and tag changes are gone) and the clock as
    /// at start (its start time and rate).
    public func reset() {
        state.withLock { state in
            state = State(clock: LifecycleClock(startMillis: clockStart.milliseconds, rate: clockRate, realNow: realTime()), table: initialTable)
        }
    }
}

/// Why the clock refused a change.
public enum ClockUpdateError: Error, Sendable {
    case setBeforeNow(current: Timestamp)
    /// The change would take the clock past `LifecycleClock.end`.
    case pastTheEnd(field: String)
}
