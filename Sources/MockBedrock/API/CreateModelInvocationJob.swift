import Fixtures
import JSON

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
