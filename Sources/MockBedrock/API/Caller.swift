/// Where an AWS request is scoped: the region of its SigV4 credential scope and an account.
public struct ServiceSettings: Sendable {
    /// The region of a request that is not SigV4-signed (or whose scope cannot be read).
    public var region: String
    /// The account of every caller whose access key id is not itself a 12-digit account id.
    public var accountId: String
    /// At most this many unfinished jobs per account and region; Create answers
    /// ServiceQuotaExceededException past it. Nil: no limit.
    public var maxActiveJobs: Int?
    /// Who may use the admin API under `/_mock/` (the health check is always open).
    public var admin: AdminAccess
    /// When set, AWS operations must be SigV4-signed with one of its keys.
    public var sigV4: SigV4Verification?

    public init(
        region: String = "us-east-1", accountId: String = "123456789012", maxActiveJobs: Int? = nil, admin: AdminAccess = .open,
        sigV4: SigV4Verification? = nil
    ) {
        self.region = region
        self.accountId = accountId
        self.maxActiveJobs = maxActiveJobs
        self.admin = admin
        self.sigV4 = sigV4
    }

    /// The caller's scope: the region from `Authorization: AWS4-HMAC-SHA256 Credential=AKID/date/REGION/bedrock/aws4_request`,
    /// else `region`; the account is the access key id when that is 12 digits (as LocalStack does),
    /// else `accountId`.
    func scope(of request: HTTPRequest) -> Scope {
        var scope = Scope(accountId: accountId, region: region)
        guard let authorization = request.header("authorization"),
            let range = authorization.firstRange(of: "Credential=")
        else { return scope }
        let credential = authorization[range.upperBound...].prefix { $0 != "," && $0 != " " }
        let parts = credential.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 5 {
            if parts[0].count == 12, parts[0].allSatisfy(\.isASCII), parts[0].allSatisfy(\.isNumber) { scope.accountId = String(parts[0]) }
            if !parts[2].isEmpty { scope.region = String(parts[2]) }
        }
        return scope
    }
}

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
        guard route.name != "MockHealth" else { return nil }
        switch self {
        case .open:
            return nil
        case .off:
            return .unknownOperation(method: request.method, path: request.path)
        case .token(let token):
            guard let given = request.header(Self.tokenHeader) else {
                return AWSError(code: "AccessDeniedException", status: 403, message: "The mock's admin API needs the \(Self.tokenHeader) header.")
            }
            guard Self.constantTimeEquals(given, token) else {
                return AWSError(code: "AccessDeniedException", status: 403, message: "The \(Self.tokenHeader) header does not match the mock's admin token.")
            }
            return nil
        }
    }

    /// Compares without stopping at the first difference, so that timing does not tell how much of a guess was right.
    static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let a = Array(lhs.utf8)
        let b = Array(rhs.utf8)
        var difference: UInt8 = a.count == b.count ? 0 : 1
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}
