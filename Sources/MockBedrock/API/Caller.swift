/// Where an AWS request is scoped: the region of its SigV4 credential scope and an account.
public struct ServiceSettings: Sendable {
    /// The region of a request that is not SigV4-signed (or whose scope cannot be read).
    public var region: String
    /// The account of every caller whose access key id is not itself a 12-digit account id.
    public var accountId: String
    /// At most this many unfinished jobs per account and region; Create answers
    /// ServiceQuotaExceededException past it. Nil: no limit.
    public var maxActiveJobs: Int?

    public init(region: String = "us-east-1", accountId: String = "123456789012", maxActiveJobs: Int? = nil) {
        self.region = region
        self.accountId = accountId
        self.maxActiveJobs = maxActiveJobs
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
