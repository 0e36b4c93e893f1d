import ServiceModel
/// A batch inference job as `GetModelInvocationJob` returns it: every member of the model's
/// `GetModelInvocationJobResponse`, typed. Optional members are nil when the job does not have them.
public struct JobRecord: Sendable, Equatable {
    public struct S3InputDataConfig: Sendable, Equatable {
        public var s3Uri: String
        public var s3InputFormat: String?
        public var s3BucketOwner: String?

        public init(s3Uri: String, s3InputFormat: String? = nil, s3BucketOwner: String? = nil) {
            self.s3Uri = s3Uri
            self.s3InputFormat = s3InputFormat
            self.s3BucketOwner = s3BucketOwner
        }
    }

    public struct S3OutputDataConfig: Sendable, Equatable {
        public var s3Uri: String
        public var s3EncryptionKeyId: String?
        public var s3BucketOwner: String?

        public init(s3Uri: String, s3EncryptionKeyId: String? = nil, s3BucketOwner: String? = nil) {
            self.s3Uri = s3Uri
            self.s3EncryptionKeyId = s3EncryptionKeyId
            self.s3BucketOwner = s3BucketOwner
        }
    }

    public struct VPCConfig: Sendable, Equatable {
        public var subnetIds: [String]
        public var securityGroupIds: [String]

        public init(subnetIds: [String], securityGroupIds: [String]) {
            self.subnetIds = subnetIds
            self.securityGroupIds = securityGroupIds
        }
    }

    public var jobArn: String
    public var jobName: String?
    public var modelId: String
    public var clientRequestToken: String?
    public var roleArn: String
    public var status: JobStatus?
    public var message: String?
    public var submitTime: Timestamp
    public var lastModifiedTime: Timestamp?
    public var endTime: Timestamp?
    /// The model's input union has one member today; an input config is that member.
    public var inputDataConfig: S3InputDataConfig
    public var outputDataConfig: S3OutputDataConfig
    public var vpcConfig: VPCConfig?
    public var timeoutDurationInHours: Int?
    public var jobExpirationTime: Timestamp?
    public var modelInvocationType: String?
    public var totalRecordCount: Int64?
    public var processedRecordCount: Int64?
    public var successRecordCount: Int64?
    public var errorRecordCount: Int64?

    public init(
        jobArn: String, jobName: String? = nil, modelId: String, clientRequestToken: String? = nil, roleArn: String,
        status: JobStatus? = nil, message: String? = nil, submitTime: Timestamp, lastModifiedTime: Timestamp? = nil,
        endTime: Timestamp? = nil, inputDataConfig: S3InputDataConfig, outputDataConfig: S3OutputDataConfig,
        vpcConfig: VPCConfig? = nil, timeoutDurationInHours: Int? = nil, jobExpirationTime: Timestamp? = nil,
        modelInvocationType: String? = nil, totalRecordCount: Int64? = nil, processedRecordCount: Int64? = nil,
        successRecordCount: Int64? = nil, errorRecordCount: Int64? = nil
    ) {
        self.jobArn = jobArn
        self.jobName = jobName
        self.modelId = modelId
        self.clientRequestToken = clientRequestToken
        self.roleArn = roleArn
        self.status = status
        self.message = message
        self.submitTime = submitTime
        self.lastModifiedTime = lastModifiedTime
        self.endTime = endTime
        self.inputDataConfig = inputDataConfig
        self.outputDataConfig = outputDataConfig
        self.vpcConfig = vpcConfig
        self.timeoutDurationInHours = timeoutDurationInHours
        self.jobExpirationTime = jobExpirationTime
        self.modelInvocationType = modelInvocationType
        self.totalRecordCount = totalRecordCount
        self.processedRecordCount = processedRecordCount
        self.successRecordCount = successRecordCount
        self.errorRecordCount = errorRecordCount
    }

    /// The 12-character job id: the last segment of the ARN (the model's pattern guarantees its form).
    public var jobId: String { String(jobArn.suffix(12)) }
}
