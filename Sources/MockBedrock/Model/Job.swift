import Fixtures
import JSON
import ServiceModel

/// A job the mock serves: its record as loaded or created, its lifecycle (nil when served as
/// written), its tags, a stop if one was asked for, and what its Gets have done so far.
public struct Job: Sendable {
    /// A tag of the job (ListTagsForResource answers them in the order they were first set).
    public typealias Tag = ResourceTag

    /// A stop asked for at `at`: the job is Stopping for `Job.stoppingMillis`, then Stopped,
    /// with the members (record counts too) it had when it was stopped. A class: most jobs are
    /// never stopped, and a record held inline would double every job's size.
    final class Stop: Sendable {
        let at: Int64
        let record: JobRecord

        init(at: Int64, record: JobRecord) {
            self.at = at
            self.record = record
        }
    }

    /// How long a stopped job stays Stopping: one minute on the clock.
    public static let stoppingMillis: Int64 = 60_000

    /// What never changes after a job is made, held by reference: the store keeps the jobs as
    /// loaded for a reset, and the first change to the live table copies the table; with this
    /// out of line, that copy costs a reference a job instead of the whole record.
    final class Definition: Sendable {
        let record: JobRecord
        let arn: JobARN
        let lifecycle: Lifecycle?
        let source: FixtureLocation?
        /// The fixture's `responses`, tried before the `--responses` file's.
        let responses: [ResponseRule]

        init(record: JobRecord, arn: JobARN, lifecycle: Lifecycle?, source: FixtureLocation?, responses: [ResponseRule]) {
            self.record = record
            self.arn = arn
            self.lifecycle = lifecycle
            self.source = source
            self.responses = responses
        }
    }

    let definition: Definition
    /// The members the fixture or Create gave; a job with a lifecycle gets the rest from the clock.
    public var record: JobRecord { definition.record }
    public var arn: JobARN { definition.arn }
    public var lifecycle: Lifecycle? { definition.lifecycle }
    /// The fixture that defined the job, nil for a created one.
    public var source: FixtureLocation? { definition.source }
    public var tags: [Tag]
    var progress: LifecycleProgress
    var stop: Stop?
    /// The last body served and the state it belongs to; a body whose counts rise is never kept.
    var cachedBody: (key: Int, body: [UInt8])?
    /// What the job's input data showed and what was written, for a job on the clock when the mock
    /// has an object store; nil otherwise.
    var data: JobData?
    /// What the event worker has sent of the job's status changes (Job+Events.swift).
    var events = EventCursor()

    /// A job whose ARN is `arn` (the one `record.jobArn` writes).
    public init(
        record: JobRecord, arn: JobARN, lifecycle: Lifecycle? = nil, tags: [Tag] = [], source: FixtureLocation? = nil, responses: [ResponseRule] = []
    ) {
        self.definition = Definition(record: record, arn: arn, lifecycle: lifecycle, source: source, responses: responses)
        self.tags = tags
        self.progress = LifecycleProgress(phaseCount: lifecycle?.phases.count ?? 0)
        if lifecycle != nil { events.due = record.submitTime.milliseconds }
    }

    /// A job for Swift code that builds records itself: `record.jobArn` must be a job ARN. Requests
    /// and fixtures never come here (Create passes the ARN it made, fixtures go through `init?(fixture:)`).
    public init(record: JobRecord, lifecycle: Lifecycle? = nil, tags: [Tag] = [], source: FixtureLocation? = nil) {
        guard let arn = JobARN(record.jobArn) else { preconditionFailure("\(record.jobArn) is not a model invocation job ARN") }
        self.init(record: record, arn: arn, lifecycle: lifecycle, tags: tags, source: source)
    }

    /// The job of a loaded fixture; nil if its jobArn is not a job ARN, which the loader's check of
    /// the model's ARN pattern already refused.
    public init?(fixture: FixtureJob) {
        guard let arn = JobARN(fixture.record.jobArn) else { return nil }
        self.init(
            record: fixture.record, arn: arn, lifecycle: Lifecycle(fixture.behaviour, record: fixture.record),
            tags: fixture.tags, source: fixture.location, responses: fixture.responses)
    }

    public var id: String { arn.jobId }

    /// True when the job exists at clock time `now`: a job on the clock appears at its submitTime.
    func exists(at now: Int64) -> Bool {
        lifecycle == nil || now >= record.submitTime.milliseconds
    }

    /// The record as served at clock time `now` (milliseconds), and a key for the state it shows
    /// (nil while the record changes within that state). A Get passes `isPoll`, which counts
    /// toward a `polls` phase.
    /// The lifecycle's part of `snapshot(at:isPoll:)` (Job+Data.swift), which every answer uses: it
    /// adds what the job's input data shows, for a job that has data.
    mutating func lifecycleSnapshot(at now: Int64, isPoll: Bool) -> (record: JobRecord, key: Int?) {
        if let stop, now >= stop.at {
            var served = stop.record
            served.message = nil
            if now < stop.at + Self.stoppingMillis {
                served.status = .stopping
                served.lastModifiedTime = Timestamp(milliseconds: stop.at)
                served.endTime = nil
                return (served, -2)
            }
            served.status = .stopped
            served.lastModifiedTime = Timestamp(milliseconds: stop.at + Self.stoppingMillis)
            served.endTime = served.lastModifiedTime
            return (served, -3)
        }
        guard let lifecycle else { return (record, 0) }
        let submit = record.submitTime.milliseconds
        let position = lifecycle.position(submit: submit, now: now, progress: &progress, isPoll: isPoll)
        return (served(position, lifecycle), position.isChanging ? nil : position.phaseIndex ?? -1)
    }

    /// The record at a lifecycle position.
    func served(_ position: LifecyclePosition, _ lifecycle: Lifecycle) -> JobRecord {
        let submit = record.submitTime.milliseconds
        var served = record
        served.submitTime = Timestamp(milliseconds: submit)  // the clock's precision, like every time it computes
        served.status = position.status
        served.lastModifiedTime = Timestamp(milliseconds: position.since)
        served.endTime = position.status.isTerminal ? Timestamp(milliseconds: position.since) : nil
        served.timeoutDurationInHours = lifecycle.timeoutHours
        served.jobExpirationTime = Timestamp(milliseconds: submit + lifecycle.timeoutMillis)
        served.message = position.message
        served.totalRecordCount = position.counts == nil ? nil : lifecycle.totalRecordCount
        served.processedRecordCount = position.counts?.processed
        served.successRecordCount = position.counts?.success
        served.errorRecordCount = position.counts?.error
        return served
    }

    /// The Get response body (also the List summary) at clock time `now`, encoded once per state
    /// unless its counts are rising, and the data work the job waits for.
    mutating func body(at now: Int64, isPoll: Bool) -> (body: [UInt8], need: DataNeed?) {
        // A job served as written never changes: skip building its record.
        if lifecycle == nil, stop.map({ now < $0.at }) ?? true, let cachedBody, cachedBody.key == 0 { return (cachedBody.body, nil) }
        let (served, key, need) = snapshot(at: now, isPoll: isPoll)
        if let key, let cachedBody, cachedBody.key == key { return (cachedBody.body, need) }
        var writer = JSONWriter(reservingCapacity: 1536)
        served.writeJSON(to: &writer)
        cachedBody = key.map { ($0, writer.bytes) }
        return (writer.bytes, need)
    }

    /// What a stop does to the job.
    enum StopOutcome: Equatable {
        case stopping
        case alreadyStopping
        case finished(JobStatus)
        /// The job has ended on its lifecycle and its results are being written: its status once
        /// they are (Completed, or Failed if the write fails) is not known yet.
        case ending
    }

    /// Stops the job at clock time `now`: an unfinished job goes Stopping, then Stopped.
    /// A job that has ended but whose results are still being written (it is served as it was just
    /// before) has ended all the same: its outcome stands, and a stop cannot overtake the write with
    /// fewer results (Get, events, files and manifest then agree on the one outcome).
    mutating func requestStop(at now: Int64) -> StopOutcome {
        let (current, _, need) = snapshot(at: now, isPoll: false)
        if case .write? = need, stop == nil, endingStatus(at: now) != nil { return .ending }
        let status = current.status ?? .submitted
        if status.isTerminal { return .finished(status) }
        if status == .stopping { return .alreadyStopping }
        stop = Stop(at: now, record: current)
        events.due = now
        return .stopping
    }

    /// Sets tags, replacing the values of keys it has; false (and nothing set) if the job would
    /// pass `limit` tags.
    mutating func setTags(_ new: [Tag], limit: Int) -> Bool {
        var merged = tags
        for tag in new {
            if let index = merged.firstIndex(where: { $0.key == tag.key }) {
                merged[index].value = tag.value
            } else {
                merged.append(tag)
            }
        }
        guard merged.count <= limit else { return false }
        tags = merged
        return true
    }
}
