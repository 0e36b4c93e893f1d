import Fixtures

/// Who may use the admin API (`/_mock/clock`, `/_mock/faults`, `/_mock/reset`, `/_mock/requests`).
/// `GET /_mock/health` stays open in every mode: container health checks use it, and it tells nothing.
public enum AdminAccess: Sendable, Equatable {
    /// Anyone who reaches the port (the default: the mock listens on loopback).
    case open
    /// Only requests with the header `x-mock-admin-token: <token>`; others get 403 AccessDeniedException.
    case token(String)
    /// Nobody: the admin routes answer 404 UnknownOperationException, as if they did not exist.
    case off

    /// The header that carries the token.
    public static let tokenHeader = "x-mock-admin-token"

    /// The error for an admin request from `request`, nil if it may go on.
    func refusal(of request: HTTPRequest, route: Route) -> AWSError? {
        guard route.kind == .admin else { return nil }
        switch self {
        case .open:
            return nil
        case .off:
            return .unknownOperation(method: request.method, path: request.path)
        case .token(let token):
            guard let given = request.header(Self.tokenHeader) else {
                return AWSError(code: "AccessDeniedException", status: 403, message: "The mock's admin API needs the \(Self.tokenHeader) header.")
            }
            guard ConstantTime.equals(given, token) else {
                return AWSError(code: "AccessDeniedException", status: 403, message: "The \(Self.tokenHeader) header does not match the mock's admin token.")
            }
            return nil
        }
    }
}
