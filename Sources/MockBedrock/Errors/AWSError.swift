import Fixtures
import JSON
import ServiceModel

/// An error answered the way AWS answers it: the status, `x-amzn-ErrorType: <code>` and a JSON
/// body `{"message": ...}` (plus any extra members the error shape has, such as `resourceName`).
/// Every error the mock sends goes through `response(requestId:)` (API/AWSError+Response.swift).
/// A leaf: Model/, Faults/ and API/ use it, and it uses none of them.
public struct AWSError: Error, Sendable, Equatable {
    public var code: String
    public var status: Int
    public var message: String
    /// Extra string members of the error shape, in order.
    public var members: [JSONMember]
    /// Extra response headers (e.g. `Allow` on 405).
    public var headers: [String: String]

    /// An error of the service model: its status comes from the model.
    public init(_ code: String, _ message: String, members: [JSONMember] = []) {
        guard let status = ServiceModel.errorStatus(of: code) else {
            preconditionFailure("\(code) is not an error of the service model")
        }
        self.init(code: code, status: status, message: message, members: members)
    }

    /// An error outside the service model (AWS-wide or the mock's own), with an explicit status.
    public init(code: String, status: Int, message: String, members: [JSONMember] = [], headers: [String: String] = [:]) {
        self.code = code
        self.status = status
        self.message = message
        self.members = members
        self.headers = headers
    }

    public static func validation(_ failure: ValidationFailure) -> AWSError {
        AWSError("ValidationException", Violation.awsValidationMessage(failure.violations))
    }

    public static func jobNotFound(_ identifier: String) -> AWSError {
        AWSError("ResourceNotFoundException", "Could not find the model invocation job '\(identifier)'.")
    }

    /// No route has this path: a 404 that botocore raises as a non-retryable ClientError.
    public static func unknownOperation(method: String, path: String) -> AWSError {
        AWSError(code: "UnknownOperationException", status: 404, message: "No operation matches \(method) \(path)")
    }

    /// The path has routes, but not for this method.
    public static func methodNotAllowed(method: String, path: String, allowed: [String]) -> AWSError {
        AWSError(
            code: "MethodNotAllowedException", status: 405,
            message: "\(method) is not allowed on \(path); allowed: \(allowed.joined(separator: ", "))",
            headers: ["Allow": allowed.joined(separator: ", ")])
    }

    /// The message of an injected error that gives none: the model's description of the error.
    static func defaultMessage(_ code: String, operation: String) -> String {
        ServiceModel.shape(code).documentation ?? "\(code) from \(operation)"
    }
}

/// Constraint violations of a request, answered as one ValidationException.
public struct ValidationFailure: Error, Sendable {
    public var violations: [Violation]
}
