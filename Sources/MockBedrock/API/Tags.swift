import Fixtures

extension MockBedrockService {
    /// `POST /tagResource`: adds tags (a key already there gets the new value); past 50 tags,
    /// TooManyTagsException with the resource's ARN in `resourceName`.
    func tagResource(_ request: HTTPRequest, scope: Scope) throws(AWSError) -> HTTPResponse {
        let body = try RequestBody(request, shape: "TagResourceRequest")
        let arn = body["resourceARN"]?.stringValue ?? ""
        let tags = try body.tags("tags")
        try store.withState { state throws(AWSError) in
            let position = try Self.taggedJob(arn, scope, state)
            guard state.table.jobs[position].setTags(tags, limit: ResourceTag.limit) else {
                throw AWSError(
                    "TooManyTagsException",
                    "The resource would have more than \(ResourceTag.limit) tags; it has \(state.table.jobs[position].tags.count).",
                    members: [JSONMember("resourceName", .string(arn))])
            }
        }
        return .json(Array("{}".utf8))
    }

    /// `POST /untagResource`: removes the tags with these keys; keys the resource does not have are ignored.
    func untagResource(_ request: HTTPRequest, scope: Scope) throws(AWSError) -> HTTPResponse {
        let body = try RequestBody(request, shape: "UntagResourceRequest")
        let arn = body["resourceARN"]?.stringValue ?? ""
        guard case .array(let keys)? = body["tagKeys"] else { return .json(Array("{}".utf8)) }
        let removed = Set(keys.compactMap(\.stringValue))
        try store.withState { state throws(AWSError) in
            let position = try Self.taggedJob(arn, scope, state)
            state.table.jobs[position].tags.removeAll { removed.contains($0.key) }
        }
        return .json(Array("{}".utf8))
    }

    /// `POST /listTagsForResource`: `{"tags": [...]}` in the order the keys were first set.
    func listTagsForResource(_ request: HTTPRequest, scope: Scope) throws(AWSError) -> HTTPResponse {
        let body = try RequestBody(request, shape: "ListTagsForResourceRequest")
        let arn = body["resourceARN"]?.stringValue ?? ""
        let tags = try store.withState { state throws(AWSError) in state.table.jobs[try Self.taggedJob(arn, scope, state)].tags }
        var writer = JSONWriter(reservingCapacity: 32 + tags.count * 48)
        writer.beginObject()
        writer.key("tags")
        writer.beginArray()
        for tag in tags {
            writer.beginObject()
            writer.member("key", tag.key)
            writer.member("value", tag.value)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return .json(writer.bytes)
    }

    /// The position of the job a resource ARN names, for a caller in `scope`. The mock has only model invocation
    /// jobs: any other resource, or a job of another account or region, is not found.
    private static func taggedJob(_ arn: String, _ scope: Scope, _ state: JobStore.State) throws(AWSError) -> Int {
        // The generated model has ModelInvocationJobArn with its pattern.
        guard let jobArn = JobARN(arn), ShapeRules.matches(arn, pattern: ServiceModel.shape("ModelInvocationJobArn").pattern!),
            let position = state.table.find(.arn(jobArn), in: scope, at: state.now)
        else { throw AWSError("ResourceNotFoundException", "The resource '\(arn)' was not found.") }
        return position
    }
}
