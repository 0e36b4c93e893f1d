import Fixtures
import HeapModule
import JSON
import ServiceModel
import Sync

/// Every job the mock knows and the clock that moves them; one lock guards both, so a request
/// never sees a job at one instant and the clock at another. Safe to use from libmicrohttpd's threads.
public final class JobStore: Sendable {
    struct State {
        var clock: LifecycleClock
        var table: JobTable
        var now: Int64 = 0
        /// Counts resets: data work asked for before one is stale.
        var generation = 0
        /// The jobs on the clock by the instant the event worker is to look at each (Model/JobStore+Events.swift).
        var eventQueue: Heap<EventDue>
    }

    private let state: Locked<State>
    private let initialTable: JobTable
    private let initialEventQueue: Heap<EventDue>
    private let clockStart: Timestamp
    private let clockRate: Double
    let realTime: @Sendable () -> UInt64
    /// Reads inputs and writes results of jobs on the clock; nil: jobs have no data (docs/batch-data.md).
    public let dataPlane: DataPlane?
    /// What the event worker sleeps on: broadcast after a change that can make a status change
    /// sooner than the worker expects (the clock, a new job, a stop, the Get that ends a `polls`
    /// phase, data work done). An object, not a closure the worker sets: a closure stored in a
    /// generic `Locked` and read back on every Create was re-wrapped in a thunk each time, and the
    /// calls through the thunks grew without end (a third of the CPU of a soak of 60 s).
    let eventWakeUp = WakeUp()
    /// The clock's time at start and after a reset: status changes before it send no event.
    public var clockStartMillis: Int64 { clockStart.milliseconds }

    /// - Parameters:
    ///   - clockStart: the clock's time when the store is made (and after `reset()`).
    ///   - clockRate: simulated seconds per real second; 0 freezes the clock.
    ///   - realTime: the real monotonic time in nanoseconds the clock runs on (tests pass their own).
    ///   - dataPlane: where jobs on the clock read their input and write their results.
    public init(
        _ jobs: [Job] = [], clockStart: Timestamp = .wallClockNow(), clockRate: Double = 1,
        realTime: @escaping @Sendable () -> UInt64 = monotonicNanoseconds, dataPlane: DataPlane? = nil
    ) {
        self.dataPlane = dataPlane
        let table = JobTable(dataPlane == nil ? jobs : jobs.map(Self.withData))
        self.initialTable = table
        self.initialEventQueue = State.eventQueue(of: table)
        self.clockStart = clockStart
        self.clockRate = clockRate
        self.realTime = realTime
        self.state = Locked(
            State(clock: LifecycleClock(startMillis: clockStart.milliseconds, rate: clockRate, realNow: realTime()), table: table, eventQueue: initialEventQueue))
    }

    public convenience init(
        fixtures: [FixtureJob], clockStart: Timestamp = .wallClockNow(), clockRate: Double = 1,
        realTime: @escaping @Sendable () -> UInt64 = monotonicNanoseconds, dataPlane: DataPlane? = nil
    ) {
        self.init(fixtures.compactMap(Job.init(fixture:)), clockStart: clockStart, clockRate: clockRate, realTime: realTime, dataPlane: dataPlane)
    }

    /// The job with its data to read, when it is on the clock (a job served as written has none).
    static func withData(_ job: Job) -> Job {
        guard let lifecycle = job.lifecycle else { return job }
        var copy = job
        copy.data = JobData(errorShare: lifecycle.requestedErrorShare)
        return copy
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
        // A job whose data work is pending is served as it was before that work's instant, and the Get
        // counts nothing (`Job.snapshot`); the service has waited for the work before asking, as long
        // as its bound allowed.
        var ended = false
        let found = try? withState { state -> [UInt8]? in
            guard let position = state.table.find(identifier, in: scope, at: state.now) else { return nil }
            let endedBefore = state.table.jobs[position].progress.endedPollsPhases
            let body = state.table.jobs[position].body(at: state.now, isPoll: isPoll).body
            // The Get that ends a `polls` phase changes the status: the event worker looks at the job now.
            if state.table.jobs[position].progress.endedPollsPhases != endedBefore {
                markDue(&state, position)
                ended = true
            }
            return body
        }
        if ended { wakeEvents() }
        return found ?? nil
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
        let result = try state.withLock { (state: inout State) throws(ClockUpdateError) -> (now: Timestamp, rate: Double) in
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
        defer { wakeEvents() }
        return result
    }

    /// Restores the jobs as loaded (created jobs, stops and tag changes are gone) and the clock as
    /// at start (its start time and rate).
    public func reset() {
        let generation = state.withLock { state -> Int in
            let generation = state.generation + 1
            state = State(
                clock: LifecycleClock(startMillis: clockStart.milliseconds, rate: clockRate, realNow: realTime()), table: initialTable,
                eventQueue: initialEventQueue)
            state.generation = generation
            return generation
        }
        // The data work of the jobs before the reset stops; none of the jobs after it waits behind it.
        dataPlane?.abandon(before: generation)
    }
}

/// Why the clock refused a change.
public enum ClockUpdateError: Error, Sendable {
    case setBeforeNow(current: Timestamp)
    /// The change would take the clock past `LifecycleClock.end`.
    case pastTheEnd(field: String)
}

// MARK: - The operations' rules (here: the state is private to this file)

extension JobStore {
    /// Creates a job from a validated Create request, or returns the job an earlier request with
    /// the same client request token created. Same token, other parameters, or a name in use:
    /// ConflictException. Past `maxActiveJobs` unfinished jobs: ServiceQuotaExceededException.
    func create(_ body: JSONValue, tags: [ResourceTag], in scope: Scope, maxActiveJobs: Int?) throws(AWSError) -> String {
        defer { wakeEvents() }
        // Only the request's own members count (AWS ignores others, and so does the mock): for the
        // job, and for telling a retry from a reuse of its token.
        let known = Set(ServiceModel.shape("CreateModelInvocationJobRequest").members.map(\.name))
        let request = body.keepingMembers { known.contains($0) }
        let token = request["clientRequestToken"]?.stringValue
        let parameters = Self.canonical(request.removingMember("clientRequestToken"))
        return try withState { state throws(AWSError) -> String in
            if let token, let earlier = state.table.tokens[JobTable.TokenKey(scope: scope, token: token)] {
                guard earlier.parameters == parameters else {
                    throw AWSError("ConflictException", "The client request token '\(token)' was already used for a request with other parameters.")
                }
                // A token is only kept for a job in the table, and jobs are never removed (a reset clears both).
                guard let position = state.table.positions[earlier.jobId] else {
                    throw AWSError("InternalServerException", "The job of the client request token '\(token)' is gone.")
                }
                return state.table.jobs[position].record.jobArn
            }
            let name = request["jobName"]?.stringValue ?? ""
            if state.table.names[JobTable.NameKey(scope: scope, name: name)] != nil {
                throw AWSError("ConflictException", "A model invocation job named '\(name)' already exists.")
            }
            if let maxActiveJobs {
                var active = 0
                for position in state.table.jobs.indices where state.table.isVisible(position, in: scope, at: state.now) {
                    let status = state.table.jobs[position].snapshot(at: state.now, isPoll: false).record.status ?? .submitted
                    if !status.isTerminal { active += 1 }
                }
                if active >= maxActiveJobs {
                    throw AWSError("ServiceQuotaExceededException", "You have reached the quota of \(maxActiveJobs) unfinished model invocation jobs.")
                }
            }
            var id = Self.newJobId()
            while state.table.positions[id] != nil { id = Self.newJobId() }
            let arn = JobARN(partition: scope.partition, region: scope.region, accountId: scope.accountId, jobId: id)
            // The scope's region and account were checked (CredentialScope, the --region and
            // --account-id flags); an ARN that could not be read back would make a job no request can reach.
            guard FastPatterns.isJobArn(arn.description) else {
                throw AWSError("InternalServerException", "The mock cannot make a job ARN for the scope \(scope).")
            }
            guard
                var record = JobRecord(
                    validated: request.addingMember("jobArn", .string(arn.description))
                        .addingMember("submitTime", .string(Timestamp(milliseconds: state.now).description)))
            else {
                // A union member newer than the model (the mock serves S3 input and output only).
                throw AWSError("ValidationException", "The mock supports inputDataConfig.s3InputDataConfig and outputDataConfig.s3OutputDataConfig only.")
            }
            record.status = nil
            let outcome = tags.first { $0.key == Self.outcomeTag }.flatMap { LifecycleOutcome(rawValue: $0.value) } ?? .completed
            let job = Job(record: record, arn: arn, lifecycle: Lifecycle(.defaultLifecycle(outcome), record: record), tags: tags)
            state.table.insert(dataPlane == nil ? job : Self.withData(job))
            state.scheduleEvents(state.table.jobs.count - 1)
            if let token { state.table.tokens[JobTable.TokenKey(scope: scope, token: token)] = JobTable.TokenUse(jobId: id, parameters: parameters) }
            return arn.description
        }
    }

    /// A tag that picks the outcome of a created job's default lifecycle, e.g. `Failed`.
    public static let outcomeTag = "mock-bedrock:outcome"

    /// 12 characters of [a-z0-9], like AWS's job ids.
    static func newJobId() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<12).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }

    /// The request with object members sorted by name, so that two requests with the same
    /// parameters compare equal whatever order a client wrote them in.
    static func canonical(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            .object(members.filter { $0.value != .null }.map { JSONMember($0.key, canonical($0.value)) }.sorted { $0.key < $1.key })
        case .array(let elements):
            .array(elements.map(canonical))
        default:
            value
        }
    }
}

extension JobStore {
    /// One page of the caller's jobs: the summaries (the Get bodies, at the clock's time) and,
    /// when more jobs match, the position of the last one. Positions are (submitTime, id), so a
    /// listing is stable while jobs are created: each job shows up at most once.
    func list(_ query: JobListQuery, in scope: Scope) -> (bodies: [[UInt8]], last: JobTable.OrderKey?) {
        (try? withState { state -> ([[UInt8]], JobTable.OrderKey?) in
            let order = state.table.order
            var index: Int
            if query.descending {
                index = query.after.map { state.table.insertionIndex(of: $0) - 1 } ?? order.count - 1
            } else {
                index =
                    query.after.map { key in
                        var next = state.table.insertionIndex(of: key)
                        if next < order.count, order[next] == key { next += 1 }
                        return next
                    } ?? 0
            }
            var bodies: [[UInt8]] = []
            var last: JobTable.OrderKey?
            while index >= 0, index < order.count {
                let key = order[index]
                index += query.descending ? -1 : 1
                // The table keeps `order` and `positions` together; a key without a position is skipped, not trusted.
                guard let position = state.table.positions[key.id] else { continue }
                guard state.table.matches(position, key, query, scope, at: state.now) else { continue }
                if bodies.count == query.maxResults { return (bodies, last) }  // one more matches: there is a next page
                bodies.append(state.table.jobs[position].body(at: state.now, isPoll: false).body)
                last = key
            }
            return (bodies, nil)
        }) ?? ([], nil)
    }
}

extension JobTable {
    /// True when the job at `position` (ordered by `key`) is the caller's, exists now and passes the query's filters.
    mutating func matches(_ position: Int, _ key: OrderKey, _ query: JobListQuery, _ scope: Scope, at now: Int64) -> Bool {
        guard isVisible(position, in: scope, at: now) else { return false }
        if let after = query.submittedAfter, key.submit <= after { return false }
        if let before = query.submittedBefore, key.submit >= before { return false }
        if let part = query.nameContains, !(jobs[position].record.jobName ?? "").lowercased().contains(part.lowercased()) { return false }
        if let status = query.status, jobs[position].snapshot(at: now, isPoll: false).record.status != status { return false }
        return true
    }
}

extension JobStore {
    /// Asks the job `identifier` names (written as `text`) to stop, for a caller in `scope`.
    func stop(_ identifier: JobIdentifier, named text: String, in scope: Scope) throws(AWSError) -> Job.StopOutcome {
        defer { wakeEvents() }
        return try withState { state throws(AWSError) -> Job.StopOutcome in
            guard let position = state.table.find(identifier, in: scope, at: state.now) else { throw .jobNotFound(text) }
            let outcome = state.table.jobs[position].requestStop(at: state.now)
            if outcome == .stopping { state.scheduleEvents(position) }
            return outcome
        }
    }

    /// Adds tags to the job `arn` names (a key already there gets the new value); past the limit,
    /// TooManyTagsException with the resource's ARN in `resourceName`.
    func tag(_ arn: String, with tags: [ResourceTag], in scope: Scope) throws(AWSError) {
        try withState { state throws(AWSError) in
            let position = try Self.taggedJob(arn, scope, state)
            guard state.table.jobs[position].setTags(tags, limit: ResourceTag.limit) else {
                throw AWSError(
                    "TooManyTagsException",
                    "The resource would have more than \(ResourceTag.limit) tags; it has \(state.table.jobs[position].tags.count).",
                    members: [JSONMember("resourceName", .string(arn))])
            }
        }
    }

    /// Removes the tags with these keys from the job `arn` names; keys it does not have are ignored.
    func untag(_ arn: String, keys: Set<String>, in scope: Scope) throws(AWSError) {
        try withState { state throws(AWSError) in
            let position = try Self.taggedJob(arn, scope, state)
            state.table.jobs[position].tags.removeAll { keys.contains($0.key) }
        }
    }

    /// The tags of the job `arn` names, in the order their keys were first set.
    func tags(of arn: String, in scope: Scope) throws(AWSError) -> [ResourceTag] {
        try withState { state throws(AWSError) in state.table.jobs[try Self.taggedJob(arn, scope, state)].tags }
    }

    /// The position of the job a resource ARN names, for a caller in `scope`. The mock has only model invocation
    /// jobs: any other resource, or a job of another account or region, is not found.
    private static func taggedJob(_ arn: String, _ scope: Scope, _ state: State) throws(AWSError) -> Int {
        // The generated model has ModelInvocationJobArn with its pattern.
        guard let jobArn = JobARN(arn), ShapeRules.matches(arn, pattern: ServiceModel.shape("ModelInvocationJobArn").pattern!),
            let position = state.table.find(.arn(jobArn), in: scope, at: state.now)
        else { throw AWSError("ResourceNotFoundException", "The resource '\(arn)' was not found.") }
        return position
    }
}
