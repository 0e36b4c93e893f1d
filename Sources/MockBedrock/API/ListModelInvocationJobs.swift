import Fixtures

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
                index = query.after.map { key in
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
                bodies.append(state.table.jobs[position].body(at: state.now, isPoll: false))
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
