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
