import Fixtures
import JSON
import ServiceModel

/// The JSON body of an AWS operation, read and checked against the operation's input shape.
struct RequestBody {
    let object: JSONValue

    /// Reads the body and checks it: a body that is not a JSON object, or a member of the wrong
    /// JSON type, answers 400 SerializationException (as AWS's JSON services do); constraint
    /// violations answer one ValidationException listing them all, in AWS's words. Unknown
    /// members are ignored, as AWS ignores them.
    init(_ request: HTTPRequest, shape: String) throws(AWSError) {
        let document: JSONValue
        do {
            document = .object(try request.bodyObject())
        } catch {
            switch error {
            case .notJSON(let syntax): throw .serialization("Could not read the request body as JSON: \(syntax)")
            case .notAnObject(let kind): throw .serialization("The request body must be a JSON object, not \(kind).")
            }
        }
        let violations = Self.validator.violations(of: document, against: shape)
        if let typeError = violations.first(where: { !$0.isConstraint }) {
            throw .serialization("\(typeError.path.awsDescription): \(typeError.detail)")
        }
        if !violations.isEmpty { throw .validation(ValidationFailure(violations: violations)) }
        self.object = document
    }

    static let validator = ShapeValidator(rejectsUnknownMembers: false)

    subscript(key: String) -> JSONValue? { object[key] }

    /// The tags of a TagList member (already validated).
    func tags(_ key: String) throws(AWSError) -> [ResourceTag] {
        let tags = ResourceTag.decode(object[key])
        var seen: Set<String> = []
        for tag in tags where !seen.insert(tag.key).inserted {
            throw AWSError("ValidationException", "The tag key '\(tag.key)' is given more than once.")
        }
        return tags
    }
}

extension AWSError {
    /// A body AWS cannot deserialize: 400 SerializationException (not an error of the model, so
    /// boto3 raises a plain ClientError with that code).
    static func serialization(_ message: String) -> AWSError {
        AWSError(code: "SerializationException", status: 400, message: message)
    }
}
