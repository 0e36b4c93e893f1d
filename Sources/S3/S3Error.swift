import HTTPClient

/// Why an S3 call failed: S3's own error code and message (`NoSuchKey`, `NoSuchBucket`,
/// `AccessDenied`, ... with the HTTP status), or one of the client's: `ConnectionFailed` (no
/// connection, or it broke), `Timeout`, `InvalidResponse` (an answer that is not what S3 sends),
/// `TooLarge` (an answer past the client's bounds), `InvalidConfiguration`, `WriterClosed`,
/// `Cancelled` (the caller's `stopWhen` said so).
public struct S3Error: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: String
    public var message: String
    /// The answer's status, nil when there was no answer.
    public var httpStatus: Int?

    public init(code: String, message: String, httpStatus: Int? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
    }

    public var description: String {
        httpStatus.map { "\(code) (HTTP \($0)): \(message)" } ?? "\(code): \(message)"
    }

    /// The code of a call the caller stopped (its `stopWhen` answered true).
    public static let cancelledCode = "Cancelled"

    /// A call the caller stopped.
    public static let cancelled = S3Error(code: cancelledCode, message: "the call was cancelled")

    static func invalidResponse(_ message: String, httpStatus: Int? = nil) -> S3Error {
        S3Error(code: "InvalidResponse", message: message, httpStatus: httpStatus)
    }

    static func tooLarge(_ message: String) -> S3Error {
        S3Error(code: "TooLarge", message: message)
    }
}

extension S3Error {
    /// A transfer's failure under the client's codes, which are HTTPError's kinds by name
    /// (ConnectionFailed, Timeout, InvalidResponse, TooLarge, InvalidConfiguration, Stopped).
    init(_ error: HTTPError) {
        self.init(code: error.kind.rawValue, message: error.message)
    }
}
