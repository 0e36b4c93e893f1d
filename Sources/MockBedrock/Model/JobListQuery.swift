import Fixtures
import ServiceModel

/// What ListModelInvocationJobs is asked for.
struct JobListQuery: Sendable {
    var submittedAfter: Timestamp?
    var submittedBefore: Timestamp?
    var status: JobStatus?
    /// Matched case-insensitively.
    var nameContains: String?
    var maxResults = JobListQuery.defaultMaxResults
    var descending = true
    var after: JobTable.OrderKey?

    /// A page has 100 summaries unless `maxResults` says otherwise (AWS does not document its default).
    static let defaultMaxResults = 100

    /// Everything but the page size and the position: what a nextToken is bound to.
    var filterFingerprint: String {
        "\(submittedAfter.map { "\($0.seconds).\($0.nanoseconds)" } ?? "-")|\(submittedBefore.map { "\($0.seconds).\($0.nanoseconds)" } ?? "-")|\(status?.rawValue ?? "-")|"
            + "\(nameContains?.lowercased() ?? "-")|\(descending ? "D" : "A")"
    }
}
