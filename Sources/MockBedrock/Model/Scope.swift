/// An account in a region: AWS keeps a caller's jobs apart by both, and so does the mock.
public struct Scope: Hashable, Sendable, CustomStringConvertible {
    public var accountId: String
    public var region: String

    public init(accountId: String, region: String) {
        self.accountId = accountId
        self.region = region
    }

    /// The partition of the region: `aws-cn` for `cn-*`, `aws-us-gov` for `us-gov-*`, else `aws`.
    public var partition: String {
        if region.hasPrefix("cn-") { return "aws-cn" }
        if region.hasPrefix("us-gov-") { return "aws-us-gov" }
        return "aws"
    }

    public var description: String { "\(accountId) in \(region)" }
}

extension JobARN {
    public var scope: Scope { Scope(accountId: accountId, region: region) }
}
