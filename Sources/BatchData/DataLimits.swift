/// The quotas a job's input is checked against while it is Validating. AWS's quota page gives them
/// per model ("Amazon Bedrock service quotas": minimum records per batch inference job, records per
/// input file, records per job, input file size, job size); the defaults are the common figures.
/// Each has a flag (docs/batch-data.md).
public struct DataLimits: Sendable, Equatable {
    /// `--min-records`
    public var minRecords: Int
    /// `--max-records-per-file`
    public var maxRecordsPerFile: Int
    /// `--max-records-per-job`
    public var maxRecordsPerJob: Int
    /// `--max-input-file-bytes`
    public var maxInputFileBytes: Int64
    /// `--max-job-bytes`
    public var maxJobBytes: Int64
    /// `--max-record-bytes`: the longest line. AWS documents no such limit; without one a single
    /// line could fill the memory, so the mock has one.
    public var maxRecordBytes: Int
    /// The most objects a prefix may hold (all kinds, not only `.jsonl`): listing stops past it.
    public var maxListedObjects: Int
    /// `--max-output-bytes`: the most a job's results (every `.out` file and the manifest) may take.
    /// AWS has no such quota; without one a job within the input quotas could write terabytes of
    /// tool calls or embeddings, so the mock has one: past it the job fails and writes nothing.
    public var maxOutputBytes: Int64

    public init(
        minRecords: Int = 100, maxRecordsPerFile: Int = 50_000, maxRecordsPerJob: Int = 50_000, maxInputFileBytes: Int64 = 1 << 30,
        maxJobBytes: Int64 = 5 << 30, maxRecordBytes: Int = 8 << 20, maxListedObjects: Int = 100_000, maxOutputBytes: Int64 = 2 << 30
    ) {
        self.minRecords = minRecords
        self.maxRecordsPerFile = maxRecordsPerFile
        self.maxRecordsPerJob = maxRecordsPerJob
        self.maxInputFileBytes = maxInputFileBytes
        self.maxJobBytes = maxJobBytes
        self.maxRecordBytes = maxRecordBytes
        self.maxListedObjects = maxListedObjects
        self.maxOutputBytes = maxOutputBytes
    }

    /// What is out of range, in the flags' words.
    public var problems: [String] {
        var found: [String] = []
        if !(0...10_000_000).contains(minRecords) { found.append("--min-records must be from 0 to 10000000") }
        if !(1...10_000_000).contains(maxRecordsPerFile) { found.append("--max-records-per-file must be from 1 to 10000000") }
        if !(1...10_000_000).contains(maxRecordsPerJob) { found.append("--max-records-per-job must be from 1 to 10000000") }
        if !(1...(1 << 40)).contains(maxInputFileBytes) { found.append("--max-input-file-bytes must be from 1 to 1099511627776") }
        if !(1...(1 << 42)).contains(maxJobBytes) { found.append("--max-job-bytes must be from 1 to 4398046511104") }
        if !(1024...(1 << 30)).contains(maxRecordBytes) { found.append("--max-record-bytes must be from 1024 to 1073741824") }
        if !(1024...(1 << 42)).contains(maxOutputBytes) { found.append("--max-output-bytes must be from 1024 to 4398046511104") }
        return found
    }
}
