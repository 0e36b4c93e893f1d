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
    /// else `accountId`. A SigV4 credential scope that AWS would refuse (not five parts, another
    /// terminator or service, a region that is no region name, a date that is not the request's)
    /// is refused with AWS's 403: a job is never scoped to a region its ARN cannot carry.
    func scope(of request: HTTPRequest) -> Result<Scope, AWSError> {
        var scope = Scope(accountId: accountId, region: region)
        guard let authorization = request.header("authorization"), authorization.hasPrefix(CredentialScope.algorithm),
            let range = authorization.firstRange(of: "Credential=")
        else { return .success(scope) }
        let credential = authorization[range.upperBound...].prefix { $0 != "," && $0 != " " }
        switch CredentialScope.parse(credential, service: "bedrock", amzDate: request.allValues(named: "x-amz-date")) {
        case .failure(let error):
            return .failure(error)
        case .success(let parsed):
            if parsed.accessKeyId.utf8.count == 12, parsed.accessKeyId.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
                scope.accountId = parsed.accessKeyId
            }
            scope.region = parsed.region
            return .success(scope)
        }
    }
}

/// The credential scope of a SigV4 `Credential=AKID/YYYYMMDD/REGION/SERVICE/aws4_request`, checked
/// the way AWS checks it, with AWS's messages.
struct CredentialScope: Sendable, Equatable {
    static let algorithm = "AWS4-HMAC-SHA256 "

    var accessKeyId: String
    var date: String
    var region: String
    var service: String

    /// The parts of `credential`, or AWS's 403 for a scope it refuses. `amzDate` is the request's
    /// `X-Amz-Date`, whose day the scope's date must be (unchecked when the request has none).
    static func parse(_ credential: Substring, service expected: String, amzDate: String?) -> Result<CredentialScope, AWSError> {
        let parts = credential.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 5 else {
            return .failure(AWSError(
                code: "IncompleteSignatureException", status: 403,
                message: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '\(credential)'"))
        }
        guard parts[4] == "aws4_request" else {
            return .failure(AWSError(
                code: "InvalidSignatureException", status: 403,
                message: "Credential should be scoped with a valid terminator: 'aws4_request', not '\(parts[4])'. "))
        }
        guard parts[3] == expected else {
            return .failure(AWSError(
                code: "InvalidSignatureException", status: 403, message: "Credential should be scoped to correct service: '\(expected)'. "))
        }
        guard isRegionName(parts[2]) else {
            return .failure(AWSError(
                code: "InvalidSignatureException", status: 403, message: "Credential should be scoped to a valid region, not '\(parts[2])'. "))
        }
        if let amzDate, !(parts[1].utf8.count == 8 && amzDate.utf8.starts(with: parts[1].utf8)) {
            return .failure(AWSError(
                code: "InvalidSignatureException", status: 403,
                message: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '\(parts[1])' != '\(amzDate.prefix(8))', from '\(amzDate)'."))
        }
        return .success(CredentialScope(accessKeyId: String(parts[0]), date: String(parts[1]), region: String(parts[2]), service: String(parts[3])))
    }

    /// A region as job ARNs carry it (the model's ARN patterns): 1 to 20 of a-z, 0-9 and `-`.
    static func isRegionName(_ text: Substring) -> Bool {
        (1...20).contains(text.utf8.count)
            && text.utf8.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-") }
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
