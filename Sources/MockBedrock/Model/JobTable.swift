import Fixtures
import JSON
import ServiceModel

/// The jobs and their indexes: by id, in submission order (for List), by client request token
/// and by name (for Create). A value, so that a reset is a copy.
struct JobTable: Sendable {
    /// A job's place in submission order: (submitTime to the nanosecond, id), oldest first.
    struct OrderKey: Comparable, Sendable {
        var submit: Timestamp
        var id: String

        static func < (lhs: OrderKey, rhs: OrderKey) -> Bool {
            (lhs.submit.seconds, lhs.submit.nanoseconds, lhs.id) < (rhs.submit.seconds, rhs.submit.nanoseconds, rhs.id)
        }

        static func == (lhs: OrderKey, rhs: OrderKey) -> Bool {
            lhs.submit == rhs.submit && lhs.id == rhs.id
        }
    }

    /// What a client request token was first used for.
    struct TokenUse: Sendable {
        var jobId: String
        /// The Create request's members other than the token, in a canonical form.
        var parameters: JSONValue
    }

    struct NameKey: Hashable, Sendable {
        var scope: Scope
        var name: String
    }

    struct TokenKey: Hashable, Sendable {
        var scope: Scope
        var token: String
    }

    /// The jobs in the order they were added; a job keeps its position. An array, not a
    /// dictionary of jobs: an element is read in place, where a dictionary's value is copied out.
    var jobs: [Job] = []
    /// Each job's position in `jobs`, by id.
    private(set) var positions: [String: Int] = [:]
    private(set) var order: [OrderKey] = []
    var tokens: [TokenKey: TokenUse] = [:]
    var names: [NameKey: String] = [:]

    init(_ jobs: [Job]) {
        self.jobs.reserveCapacity(jobs.count)
        positions.reserveCapacity(jobs.count)
        order.reserveCapacity(jobs.count)
        names.reserveCapacity(jobs.count)
        for job in jobs where positions[job.id] == nil {
            positions[job.id] = self.jobs.count
            self.jobs.append(job)
            order.append(OrderKey(submit: job.record.submitTime, id: job.id))
            if let name = job.record.jobName { names[NameKey(scope: job.arn.scope, name: name), default: job.id] = job.id }
        }
        order.sort()
    }

    /// Adds a job whose id is new (Create draws ids until one is; the fixture loader refuses an id
    /// defined twice).
    mutating func insert(_ job: Job) {
        precondition(positions[job.id] == nil, "job \(job.id) is already in the table")
        positions[job.id] = jobs.count
        jobs.append(job)
        let key = OrderKey(submit: job.record.submitTime, id: job.id)
        order.insert(key, at: insertionIndex(of: key))
        if let name = job.record.jobName { names[NameKey(scope: job.arn.scope, name: name)] = job.id }
    }

    /// The first position whose key is not less than `key`.
    func insertionIndex(of key: OrderKey) -> Int {
        var low = 0
        var high = order.count
        while low < high {
            let middle = (low + high) / 2
            if order[middle] < key { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The position in `jobs` of the job an identifier names, if a caller in `scope` can see it at clock time
    /// `now`: the job must be in the caller's account and region, an ARN must match the job's
    /// whole, and a job on the clock appears at its submitTime.
    func find(_ identifier: JobIdentifier, in scope: Scope, at now: Int64) -> Int? {
        guard let position = positions[identifier.jobId], isVisible(position, in: scope, at: now) else { return nil }
        if case .arn(let arn) = identifier, arn != jobs[position].arn { return nil }
        return position
    }

    /// Whether the job at `position` is in the caller's account and region and exists at `now`.
    func isVisible(_ position: Int, in scope: Scope, at now: Int64) -> Bool {
        jobs[position].arn.accountId == scope.accountId && jobs[position].arn.region == scope.region && jobs[position].exists(at: now)
    }
}
