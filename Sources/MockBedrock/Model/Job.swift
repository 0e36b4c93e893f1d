import Fixtures

/// A job the mock serves: its record as loaded, its lifecycle (nil when served as written) and
/// what its Gets have done so far.
public struct Job: Sendable {
    /// The members the fixture gave; a job with a lifecycle gets the rest from the clock.
    public var record: JobRecord
    public var arn: JobARN
    public var lifecycle: Lifecycle?
    /// The fixture that defined the job.
    public var source: FixtureLocation?
    var progress: LifecycleProgress
    /// The last body served and the phase it belongs to; a body whose counts rise is never kept.
    var cachedBody: (phase: Int, body: [UInt8])?

    public init(record: JobRecord, lifecycle: Lifecycle? = nil, source: FixtureLocation? = nil) {
        self.record = record
        // The fixture loader validated jobArn against the model's ARN pattern.
        self.arn = JobARN(record.jobArn)!
        self.lifecycle = lifecycle
        self.source = source
        self.progress = LifecycleProgress(phaseCount: lifecycle?.phases.count ?? 0)
    }

    public init(fixture: FixtureJob) {
        self.init(record: fixture.record, lifecycle: Lifecycle(fixture.behaviour, record: fixture.record), source: fixture.location)
    }

    public var id: String { arn.jobId }

    /// The record as served at clock time `now` (milliseconds), with where the lifecycle stands.
    /// A Get passes `isPoll`, which counts toward a `polls` phase.
    mutating func snapshot(at now: Int64, isPoll: Bool) -> (JobRecord, LifecyclePosition?) {
        guard let lifecycle else { return (record, nil) }
        let submit = record.submitTime.milliseconds
        let position = lifecycle.position(submit: submit, now: now, progress: &progress, isPoll: isPoll)
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
        return (served, position)
    }

    /// The Get response body at clock time `now`, encoded once per phase unless its counts are rising.
    mutating func body(at now: Int64, isPoll: Bool) -> [UInt8] {
        let (served, position) = snapshot(at: now, isPoll: isPoll)
        let phase = position.map { $0.phaseIndex ?? -1 } ?? 0
        if let cachedBody, cachedBody.phase == phase { return cachedBody.body }
        var writer = JSONWriter(reservingCapacity: 1536)
        served.writeJSON(to: &writer)
        if position?.isChanging != true { cachedBody = (phase, writer.bytes) }
        return writer.bytes
    }
}
