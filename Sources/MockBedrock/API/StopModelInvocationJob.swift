import Fixtures

extension MockBedrockService {
    /// `POST /model-invocation-job/{jobIdentifier}/stop`: an unfinished job goes Stopping, then
    /// Stopped on the clock; a Stopping job answers `{}` again and stays as it is; a finished job
    /// answers ConflictException.
    func stopModelInvocationJob(
        jobIdentifier: String, parsed: Result<JobIdentifier, ValidationFailure>? = nil, scope: Scope
    ) throws(AWSError) -> HTTPResponse {
        let identifier: JobIdentifier
        switch parsed ?? JobIdentifier.parse(jobIdentifier) {
        case .success(let parsed): identifier = parsed
        case .failure(let failure): throw .validation(failure)
        }
        let outcome = try store.stop(identifier, named: jobIdentifier, in: scope)
        if case .finished(let status) = outcome {
            throw AWSError("ConflictException", "The job is \(status.rawValue) and can no longer be stopped.")
        }
        return .json(Array("{}".utf8))
    }
}
