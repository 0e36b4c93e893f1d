import Fixtures
import JSON
import ServiceModel

extension MockBedrockService {
    /// `GET /model-invocation-jobs`: the caller's jobs, newest first by default, filtered, a page at a time.
    func listModelInvocationJobs(_ request: HTTPRequest, scope: Scope) throws(AWSError) -> HTTPResponse {
        var query = JobListQuery()
        var violations: [Violation] = []
        let value = { (name: String) in request.queryItem(name) }
        func check(_ name: String, _ shape: String) -> String? {
            guard let text = value(name) else { return nil }
            let found = ShapeRules.stringViolations(text, ServiceModel.shape(shape), ValuePath([.member(name)]))
            violations.append(contentsOf: found)
            return found.isEmpty ? text : nil
        }
        for name in ["submitTimeAfter", "submitTimeBefore"] {
            guard let text = value(name) else { continue }
            guard let instant = Timestamp(iso8601: text) else {
                violations.append(Violation(ValuePath([.member(name)]), .constraint(value: "'\(text)'", rule: "Member must be a timestamp in ISO 8601 format")))
                continue
            }
            if name == "submitTimeAfter" { query.submittedAfter = instant } else { query.submittedBefore = instant }
        }
        query.status = check("statusEquals", "ModelInvocationJobStatus").flatMap(JobStatus.init(rawValue:))
        query.nameContains = check("nameContains", "ModelInvocationJobName")
        _ = check("sortBy", "SortJobsBy")
        query.descending = check("sortOrder", "SortOrder").map { $0 == "Descending" } ?? true
        if let text = value("maxResults") {
            if let number = Int64(text) {
                let found = ShapeRules.rangeViolations(number, ServiceModel.shape("MaxResults"), ValuePath([.member("maxResults")]))
                violations.append(contentsOf: found)
                if found.isEmpty { query.maxResults = Int(number) }
            } else {
                violations.append(Violation(ValuePath([.member("maxResults")]), .constraint(value: "'\(text)'", rule: "Member must be an integer")))
            }
        }
        let token = check("nextToken", "PaginationToken")
        guard violations.isEmpty else { throw .validation(ValidationFailure(violations: violations)) }
        if let token {
            guard let position = pageTokens.position(from: token, fingerprint: query.filterFingerprint) else {
                throw AWSError("ValidationException", "The nextToken is not valid for this request; start the listing again without it.")
            }
            query.after = position
        }

        let (bodies, last) = store.list(query, in: scope)
        var writer = JSONWriter(reservingCapacity: 64 + bodies.reduce(0) { $0 + $1.count + 1 })
        writer.beginObject()
        writer.key("invocationJobSummaries")
        writer.beginArray()
        for body in bodies { writer.raw(body) }
        writer.endArray()
        if let last { writer.member("nextToken", pageTokens.token(after: last, fingerprint: query.filterFingerprint)) }
        writer.endObject()
        return .json(writer.bytes)
    }
}
