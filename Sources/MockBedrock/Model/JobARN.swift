/// A model invocation job ARN: `arn:{partition}:bedrock:{region}:{account}:model-invocation-job/{jobId}`.
public struct JobARN: Sendable, Hashable, CustomStringConvertible {
    public var partition: String
    public var region: String
    public var accountId: String
    public var jobId: String

    public init(partition: String = "aws", region: String, accountId: String, jobId: String) {
        self.partition = partition
        self.region = region
        self.accountId = accountId
        self.jobId = jobId
    }

    /// Splits an ARN that matches the model's ModelInvocationJobArn pattern; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "bedrock",
            parts[5].hasPrefix("model-invocation-job/")
        else { return nil }
        self.init(
            partition: String(parts[1]),
            region: String(parts[3]),
            accountId: String(parts[4]),
            jobId: String(parts[5].dropFirst("model-invocation-job/".count))
        )
    }

    public var description: String { "arn:\(partition):bedrock:\(region):\(accountId):model-invocation-job/\(jobId)" }
}
