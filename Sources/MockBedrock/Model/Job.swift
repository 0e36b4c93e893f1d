import Fixtures

/// A job the mock serves: its record and where it came from.
public struct Job: Sendable {
    public var record: JobRecord
    public var arn: JobARN
    /// The fixture that defined the job.
    public var source: FixtureLocation?

    public init(record: JobRecord, source: FixtureLocation? = nil) {
        self.record = record
        // The fixture loader validated jobArn against the model's ARN pattern.
        self.arn = JobARN(record.jobArn)!
        self.source = source
    }

    public var id: String { arn.jobId }
}
