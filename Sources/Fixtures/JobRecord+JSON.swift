import JSON
import ServiceModel
extension JobRecord {
    /// The shape a fixture job is checked against: the Get response, as `aws bedrock get-model-invocation-job` prints it.
    public static let shapeName = "GetModelInvocationJobResponse"

    /// Builds a record from a job object that `ShapeValidator` found valid against `shapeName`.
    /// Returns nil only if the object was not validated first.
    public init?(validated object: JSONValue) {
        guard let input = object["inputDataConfig"]?["s3InputDataConfig"],
            let output = object["outputDataConfig"]?["s3OutputDataConfig"],
            let jobArn = object["jobArn"].string, let modelId = object["modelId"].string,
            let roleArn = object["roleArn"].string, let submitTime = object["submitTime"].timestamp,
            let inputUri = input["s3Uri"].string, let outputUri = output["s3Uri"].string
        else { return nil }
        self.init(
            jobArn: jobArn,
            jobName: object["jobName"].string,
            modelId: modelId,
            clientRequestToken: object["clientRequestToken"].string,
            roleArn: roleArn,
            status: object["status"].string.flatMap(JobStatus.init(rawValue:)),
            message: object["message"].string,
            submitTime: submitTime,
            lastModifiedTime: object["lastModifiedTime"].timestamp,
            endTime: object["endTime"].timestamp,
            inputDataConfig: S3InputDataConfig(
                s3Uri: inputUri, s3InputFormat: input["s3InputFormat"].string, s3BucketOwner: input["s3BucketOwner"].string),
            outputDataConfig: S3OutputDataConfig(
                s3Uri: outputUri, s3EncryptionKeyId: output["s3EncryptionKeyId"].string,
                s3BucketOwner: output["s3BucketOwner"].string),
            vpcConfig: object["vpcConfig"].flatMap { vpc in
                guard case .array(let subnets)? = vpc["subnetIds"], case .array(let groups)? = vpc["securityGroupIds"] else { return nil }
                return VPCConfig(subnetIds: subnets.compactMap(\.stringValue), securityGroupIds: groups.compactMap(\.stringValue))
            },
            timeoutDurationInHours: object["timeoutDurationInHours"]?.int64Value.map { Int($0) },
            jobExpirationTime: object["jobExpirationTime"].timestamp,
            modelInvocationType: object["modelInvocationType"].string,
            totalRecordCount: object["totalRecordCount"]?.int64Value,
            processedRecordCount: object["processedRecordCount"]?.int64Value,
            successRecordCount: object["successRecordCount"]?.int64Value,
            errorRecordCount: object["errorRecordCount"]?.int64Value
        )
    }

    /// The Get response body: every member the job has, in the model's order, timestamps in ISO 8601 UTC.
    public func writeJSON(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("jobArn", jobArn)
        writer.member("jobName", jobName)
        writer.member("modelId", modelId)
        writer.member("clientRequestToken", clientRequestToken)
        writer.member("roleArn", roleArn)
        writer.member("status", status?.rawValue)
        writer.member("message", message)
        writer.member("submitTime", submitTime.description)
        writer.member("lastModifiedTime", lastModifiedTime?.description)
        writer.member("endTime", endTime?.description)
        writer.key("inputDataConfig")
        writer.beginObject()
        writer.key("s3InputDataConfig")
        writer.beginObject()
        writer.member("s3Uri", inputDataConfig.s3Uri)
        writer.member("s3InputFormat", inputDataConfig.s3InputFormat)
        writer.member("s3BucketOwner", inputDataConfig.s3BucketOwner)
        writer.endObject()
        writer.endObject()
        writer.key("outputDataConfig")
        writer.beginObject()
        writer.key("s3OutputDataConfig")
        writer.beginObject()
        writer.member("s3Uri", outputDataConfig.s3Uri)
        writer.member("s3EncryptionKeyId", outputDataConfig.s3EncryptionKeyId)
        writer.member("s3BucketOwner", outputDataConfig.s3BucketOwner)
        writer.endObject()
        writer.endObject()
        if let vpcConfig {
            writer.key("vpcConfig")
            writer.beginObject()
            writer.key("subnetIds")
            writer.stringArray(vpcConfig.subnetIds)
            writer.key("securityGroupIds")
            writer.stringArray(vpcConfig.securityGroupIds)
            writer.endObject()
        }
        writer.member("timeoutDurationInHours", timeoutDurationInHours.map { Int64($0) })
        writer.member("jobExpirationTime", jobExpirationTime?.description)
        writer.member("modelInvocationType", modelInvocationType)
        writer.member("totalRecordCount", totalRecordCount)
        writer.member("processedRecordCount", processedRecordCount)
        writer.member("successRecordCount", successRecordCount)
        writer.member("errorRecordCount", errorRecordCount)
        writer.endObject()
    }
}

extension JSONWriter {
    /// Writes `"name": "value"`, or nothing when the value is nil.
    public mutating func member(_ name: String, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    /// Writes `"name": number`, or nothing when the value is nil.
    public mutating func member(_ name: String, _ value: Int64?) {
        guard let value else { return }
        key(name)
        integer(value)
    }

    public mutating func stringArray(_ values: [String]) {
        beginArray()
        for value in values { string(value) }
        endArray()
    }
}

extension JSONValue {
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}

extension Optional where Wrapped == JSONValue {
    fileprivate var string: String? { self?.stringValue }
    fileprivate var timestamp: Timestamp? { string.flatMap(Timestamp.init(iso8601:)) }
}
