import Fixtures
import ServiceModel

/// The `jobIdentifier` of Get and Stop: a 12-character job id or a full job ARN.
public enum JobIdentifier: Sendable, Hashable {
    case id(String)
    case arn(JobARN)

    /// The model's shape for the identifier (length 0...1011 and pattern P1).
    static let shape = ServiceModel.shape("ModelInvocationJobIdentifier")

    /// Parses an identifier, or returns the violations AWS reports for it (length, then pattern),
    /// worded for the member `jobIdentifier`.
    public static func parse(_ text: String) -> Result<JobIdentifier, ValidationFailure> {
        // The pattern implies the length limit: a match needs no other check.
        if !FastPatterns.isJobIdentifier(text) {
            let violations = ShapeRules.stringViolations(text, shape, ValuePath([.member("jobIdentifier")]))
            guard violations.isEmpty else { return .failure(ValidationFailure(violations: violations)) }
        }
        if text.utf8.starts(with: "arn:".utf8), let arn = JobARN(text) { return .success(.arn(arn)) }
        return .success(.id(text))
    }

    public var jobId: String {
        switch self {
        case .id(let id): id
        case .arn(let arn): arn.jobId
        }
    }
}
