import Fixtures

extension MockBedrockService {
    /// `GET /model-invocation-job/{jobIdentifier}`: the job record, or ValidationException for an
    /// identifier that breaks the model's length or pattern, or ResourceNotFoundException (also for
    /// a job of another account or region, and for an ARN that is not the job's own).
    func getModelInvocationJob(
        jobIdentifier: String, parsed: Result<JobIdentifier, ValidationFailure>? = nil, scope: Scope, isPoll: Bool = true
    ) throws(AWSError) -> HTTPResponse {
        let identifier: JobIdentifier
        switch parsed ?? JobIdentifier.parse(jobIdentifier) {
        case .success(let parsed): identifier = parsed
        case .failure(let failure): throw .validation(failure)
        }
        guard let body = store.getBody(identifier, in: scope, isPoll: isPoll) else { throw .jobNotFound(jobIdentifier) }
        return .json(body)
    }
}
