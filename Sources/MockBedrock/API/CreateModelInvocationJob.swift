import Fixtures

extension MockBedrockService {
    /// `POST /model-invocation-job`: validates every member, then creates a job on the default
    /// lifecycle (idempotent on `clientRequestToken`).
    func createModelInvocationJob(_ request: HTTPRequest, scope: Scope) throws(AWSError) -> HTTPResponse {
        let body = try RequestBody(request, shape: "CreateModelInvocationJobRequest")
        let tags = try body.tags("tags")
        if tags.count > ResourceTag.limit {
            throw AWSError("ValidationException", "A job can have at most \(ResourceTag.limit) tags; the request has \(tags.count).")
        }
        if let outcome = tags.first(where: { $0.key == JobStore.outcomeTag }), LifecycleOutcome(rawValue: outcome.value) == nil {
            let allowed = LifecycleOutcome.allCases.map(\.rawValue).joined(separator: ", ")
            throw AWSError("ValidationException", "The tag \(JobStore.outcomeTag) picks the job's outcome: one of \(allowed), not '\(outcome.value)'.")
        }
        let arn = try store.create(body.object, tags: tags, in: scope, maxActiveJobs: settings.maxActiveJobs)
        var writer = JSONWriter(reservingCapacity: 128)
        writer.beginObject()
        writer.member("jobArn", arn)
        writer.endObject()
        return .json(writer.bytes)
    }
}

extension JobStore {
    /// Creates a job from a validated Create request, or returns the job an earlier request with
    /// the same client request token created. Same token, other parameters, or a name in use:
    /// ConflictException. Past `maxActiveJobs` unfinished jobs: ServiceQuotaExceededException.
    func create(_ body: JSONValue, tags: [ResourceTag], in scope: Scope, maxActiveJobs: Int?) throws(AWSError) -> String {
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
            guard var record = JobRecord(validated: request.addingMember("jobArn", .string(arn.description))
                .addingMember("submitTime", .string(Timestamp(milliseconds: state.now).description)))
            else {
                // A union member newer than the model (the mock serves S3 input and output only).
                throw AWSError("ValidationException", "The mock supports inputDataConfig.s3InputDataConfig and outputDataConfig.s3OutputDataConfig only.")
            }
            record.status = nil
            let outcome = tags.first { $0.key == Self.outcomeTag }.flatMap { LifecycleOutcome(rawValue: $0.value) } ?? .completed
            let job = Job(record: record, arn: arn, lifecycle: Lifecycle(.defaultLifecycle(outcome), record: record), tags: tags)
            state.table.insert(job)
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

extension JSONValue {
    func removingMember(_ key: String) -> JSONValue {
        guard case .object(let members) = self else { return self }
        return .object(members.filter { $0.key != key })
    }

    func keepingMembers(where keep: (String) -> Bool) -> JSONValue {
        guard case .object(let members) = self else { return self }
        return .object(members.filter { keep($0.key) })
    }

    func addingMember(_ key: String, _ value: JSONValue) -> JSONValue {
        guard case .object(let members) = self else { return self }
        return .object(members.filter { $0.key != key } + [JSONMember(key, value)])
    }
}
