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
        switch outcome {
        case .finished(let status): throw AWSError("ConflictException", "The job is \(status.rawValue) and can no longer be stopped.")
        // The mock's words (AWS's are not known for this instant): the status is not known until the write ends.
        case .ending: throw AWSError("ConflictException", "The job has finished and its results are being written; it can no longer be stopped.")
        case .stopping, .alreadyStopping: break
        }
        return .json(Array("{}".utf8))
    }
}
