import ArgumentParser
import BatchData
import MockBedrock

/// The data plane's flags: where jobs read their input and write their results, and the quotas
/// Validating checks (docs/batch-data.md).
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("s3-dir"), help: "Serve S3 from this directory: s3://bucket/key is DIR/bucket/key. (MOCK_BEDROCK_S3_DIR)")
    var directory: String?

    @Option(name: .customLong("s3-endpoint"), help: "Read and write job data on this S3-compatible server, path-style. (MOCK_BEDROCK_S3_ENDPOINT)")
    var endpoint: String?

    @Option(
        name: .customLong("s3-credentials"),
        help: ArgumentHelp(
            "KEY:SECRET to sign S3 requests with (default: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY). (MOCK_BEDROCK_S3_CREDENTIALS)",
            valueName: "key:secret"))
    var credentials: CredentialArgument?

    @Option(name: .customLong("s3-region"), help: "The region S3 requests are signed for (default: the job's). (MOCK_BEDROCK_S3_REGION)")
    var region: String?

    @Option(parsing: .unconditional, help: "Fewest records a job's input may have. (MOCK_BEDROCK_MIN_RECORDS)")
    var minRecords = DataLimits().minRecords

    @Option(parsing: .unconditional, help: "Most records an input file may have. (MOCK_BEDROCK_MAX_RECORDS_PER_FILE)")
    var maxRecordsPerFile = DataLimits().maxRecordsPerFile

    @Option(parsing: .unconditional, help: "Most records a job's input may have. (MOCK_BEDROCK_MAX_RECORDS_PER_JOB)")
    var maxRecordsPerJob = DataLimits().maxRecordsPerJob

    @Option(parsing: .unconditional, help: "Largest input file in bytes (default 1 GiB). (MOCK_BEDROCK_MAX_INPUT_FILE_BYTES)")
    var maxInputFileBytes = DataLimits().maxInputFileBytes

    @Option(parsing: .unconditional, help: "Largest job input in bytes (default 5 GiB). (MOCK_BEDROCK_MAX_JOB_BYTES)")
    var maxJobBytes = DataLimits().maxJobBytes

    @Option(parsing: .unconditional, help: "Longest input line in bytes (default 8 MiB). (MOCK_BEDROCK_MAX_RECORD_BYTES)")
    var maxRecordBytes = DataLimits().maxRecordBytes

    @Option(parsing: .unconditional, help: "Most bytes a job's results may take, all files (default 2 GiB). (MOCK_BEDROCK_MAX_OUTPUT_BYTES)")
    var maxOutputBytes = DataLimits().maxOutputBytes

    @Option(help: "A JSON file of responses chosen by recordId or prompt text. (MOCK_BEDROCK_RESPONSES)")
    var responses: String?

    @Option(parsing: .unconditional, help: "Seconds a request waits for a job's data work before answering without it. (MOCK_BEDROCK_DATA_WAIT)")
    var dataWait: Double = 10

    @Option(
        parsing: .unconditional,
        help: "Seconds one piece of a job's data work (its input read, its results written) may take before the job fails. (MOCK_BEDROCK_DATA_TIME_LIMIT)")
    var dataTimeLimit: Double = DataConfiguration.defaultTimeLimitSeconds

    /// Environment variables that stand for these options.
    static let environmentOptions: [(variable: String, option: String)] = [
        ("MOCK_BEDROCK_S3_DIR", "--s3-dir"),
        ("MOCK_BEDROCK_S3_ENDPOINT", "--s3-endpoint"),
        ("MOCK_BEDROCK_S3_CREDENTIALS", "--s3-credentials"),
        ("MOCK_BEDROCK_S3_REGION", "--s3-region"),
        ("MOCK_BEDROCK_MIN_RECORDS", "--min-records"),
        ("MOCK_BEDROCK_MAX_RECORDS_PER_FILE", "--max-records-per-file"),
        ("MOCK_BEDROCK_MAX_RECORDS_PER_JOB", "--max-records-per-job"),
        ("MOCK_BEDROCK_MAX_INPUT_FILE_BYTES", "--max-input-file-bytes"),
        ("MOCK_BEDROCK_MAX_JOB_BYTES", "--max-job-bytes"),
        ("MOCK_BEDROCK_MAX_RECORD_BYTES", "--max-record-bytes"),
        ("MOCK_BEDROCK_RESPONSES", "--responses"),
        ("MOCK_BEDROCK_DATA_WAIT", "--data-wait"),
        ("MOCK_BEDROCK_DATA_TIME_LIMIT", "--data-time-limit"),
        ("MOCK_BEDROCK_MAX_OUTPUT_BYTES", "--max-output-bytes"),
    ]

    var configuration: DataConfiguration {
        DataConfiguration(
            directory: directory, endpoint: endpoint, credentials: credentials.map { ($0.accessKeyId, $0.secret) }, region: region,
            limits: DataLimits(
                minRecords: minRecords, maxRecordsPerFile: maxRecordsPerFile, maxRecordsPerJob: maxRecordsPerJob,
                maxInputFileBytes: maxInputFileBytes, maxJobBytes: maxJobBytes, maxRecordBytes: maxRecordBytes, maxOutputBytes: maxOutputBytes),
            responses: responses, waitSeconds: dataWait, timeLimitSeconds: dataTimeLimit)
    }
}
