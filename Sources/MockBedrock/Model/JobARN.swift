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
        let parts = Substring(text).utf8.split(separator: UInt8(ascii: ":"), maxSplits: 5, omittingEmptySubsequences: false)
        let resource = "model-invocation-job/".utf8
        guard parts.count == 6, parts[0].elementsEqual("arn".utf8), parts[2].elementsEqual("bedrock".utf8),
            parts[5].starts(with: resource)
        else { return nil }
        self.init(
            partition: String(Substring(parts[1])),
            region: String(Substring(parts[3])),
            accountId: String(Substring(parts[4])),
            jobId: String(Substring(parts[5].dropFirst(resource.count)))
        )
    }

    public var description: String { "arn:\(partition):bedrock:\(region):\(accountId):model-invocation-job/\(jobId)" }
}
