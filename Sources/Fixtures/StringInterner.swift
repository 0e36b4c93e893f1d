/// Keeps one copy of each string value it is shown: fixture jobs repeat role ARNs, model ids,
/// buckets, keys and subnets, and without it every job would hold its own heap copy of each.
/// Lives for one fixture load; the strings live on in the records.
public struct StringInterner {
    private var strings: Set<String> = []
    private var lists: Set<[String]> = []

    public init() {}

    /// The copy kept of `text`. Strings of up to 15 UTF-8 bytes are stored inline and left as they are.
    public mutating func callAsFunction(_ text: String) -> String {
        guard text.utf8.count > 15 else { return text }
        return strings.insert(text).memberAfterInsert
    }

    public mutating func callAsFunction(_ text: String?) -> String? {
        text.map { self($0) }
    }

    public mutating func callAsFunction(_ list: [String]) -> [String] {
        lists.insert(list.map { self($0) }).memberAfterInsert
    }
}

extension JobRecord {
    /// Replaces the members that jobs commonly share with the interner's copies (ids, names,
    /// tokens and times are left alone).
    public mutating func intern(_ interner: inout StringInterner) {
        modelId = interner(modelId)
        roleArn = interner(roleArn)
        message = interner(message)
        modelInvocationType = interner(modelInvocationType)
        inputDataConfig.s3Uri = interner(inputDataConfig.s3Uri)
        inputDataConfig.s3InputFormat = interner(inputDataConfig.s3InputFormat)
        inputDataConfig.s3BucketOwner = interner(inputDataConfig.s3BucketOwner)
        outputDataConfig.s3Uri = interner(outputDataConfig.s3Uri)
        outputDataConfig.s3EncryptionKeyId = interner(outputDataConfig.s3EncryptionKeyId)
        outputDataConfig.s3BucketOwner = interner(outputDataConfig.s3BucketOwner)
        if var vpc = vpcConfig {
            vpc.subnetIds = interner(vpc.subnetIds)
            vpc.securityGroupIds = interner(vpc.securityGroupIds)
            vpcConfig = vpc
        }
    }
}
