import Fixtures

extension MockBedrockService {
    /// `GET /model-invocation-job/{jobIdentifier}`: the job record, or ValidationException for an
    /// identifier that breaks the model's length or pattern, or ResourceNotFoundException.
    func getModelInvocationJob(jobIdentifier: String, isPoll: Bool = true) throws(AWSError) -> HTTPResponse {
        let identifier: JobIdentifier
        switch JobIdentifier.parse(jobIdentifier) {
        case .success(let parsed): identifier = parsed
        case .failure(let failure): throw .validation(failure)
        }
        guard let body = store.getBody(identifier, isPoll: isPoll) else { throw .jobNotFound(jobIdentifier) }
        return .json(body)
    }
}
