import Fixtures
import Synchronization

/// Every job the mock knows, by id. Safe to use from libmicrohttpd's threads.
public final class JobStore: Sendable {
    private let jobs: Mutex<[String: Job]>

    public init(_ jobs: [Job] = []) {
        self.jobs = Mutex(Dictionary(jobs.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }))
    }

    public convenience init(fixtures: [FixtureJob]) {
        self.init(fixtures.map { Job(record: $0.record, source: $0.location) })
    }

    public var count: Int { jobs.withLock { $0.count } }

    /// The job an identifier names. An ARN must match the job's ARN whole (partition, region and
    /// account), so a job is not found through another region's or account's ARN.
    public func job(_ identifier: JobIdentifier) -> Job? {
        jobs.withLock { jobs in
            guard let job = jobs[identifier.jobId] else { return nil }
            if case .arn(let arn) = identifier, arn != job.arn { return nil }
            return job
        }
    }
}
