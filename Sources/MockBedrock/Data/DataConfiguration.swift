import BatchData

/// Where jobs' data lives and how it is checked: the data plane's part of `ServerConfiguration`.
/// With neither a directory nor an endpoint, jobs read no input and write no results.
public struct DataConfiguration: Sendable, Equatable {
    /// `--s3-dir`: `s3://bucket/key` is the file `DIR/bucket/key`.
    public var directory: String?
    /// `--s3-endpoint`: an S3-compatible server, path-style.
    public var endpoint: String?
    /// `--s3-credentials KEY:SECRET`; nil takes AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.
    public var credentials: (accessKeyId: String, secret: String)?
    /// `--s3-region`; nil signs for the job's own region.
    public var region: String?
    /// The quotas Validating checks (`--min-records`, `--max-records-per-file`, ...).
    public var limits: DataLimits
    /// `--responses`: the answers a test chooses (docs/batch-data.md).
    public var responses: String?
    /// `--data-wait`: how long a request waits for a job's data work before it answers without it.
    public var waitSeconds: Double
    /// `--data-time-limit`: the longest one piece of a job's data work may take (its input read, or
    /// its results written); past it the job fails.
    public var timeLimitSeconds: Double
    public static let defaultTimeLimitSeconds: Double = 600

    public init(
        directory: String? = nil, endpoint: String? = nil, credentials: (accessKeyId: String, secret: String)? = nil, region: String? = nil,
        limits: DataLimits = DataLimits(), responses: String? = nil, waitSeconds: Double = 10, timeLimitSeconds: Double = defaultTimeLimitSeconds
    ) {
        self.directory = directory
        self.endpoint = endpoint
        self.credentials = credentials
        self.region = region
        self.limits = limits
        self.responses = responses
        self.waitSeconds = waitSeconds
        self.timeLimitSeconds = timeLimitSeconds
    }

    public static func == (lhs: DataConfiguration, rhs: DataConfiguration) -> Bool {
        lhs.directory == rhs.directory && lhs.endpoint == rhs.endpoint && lhs.credentials?.accessKeyId == rhs.credentials?.accessKeyId
            && lhs.credentials?.secret == rhs.credentials?.secret && lhs.region == rhs.region && lhs.limits == rhs.limits
            && lhs.responses == rhs.responses && lhs.waitSeconds == rhs.waitSeconds
            && lhs.timeLimitSeconds == rhs.timeLimitSeconds
    }

    /// True when jobs have data.
    public var isEnabled: Bool { directory != nil || endpoint != nil }

    public var problems: [String] {
        var found = limits.problems
        if directory != nil, endpoint != nil { found.append("--s3-dir and --s3-endpoint exclude each other") }
        if !isEnabled, responses != nil { found.append("--responses needs --s3-dir or --s3-endpoint: without a store no record is answered") }
        if !(waitSeconds >= 0 && waitSeconds <= 600) { found.append("--data-wait must be from 0 to 600 seconds") }
        if !(timeLimitSeconds >= 0.1 && timeLimitSeconds <= 86_400) { found.append("--data-time-limit must be from 0.1 to 86400 seconds") }
        if let endpoint, !(endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://")) {
            found.append("--s3-endpoint must be an http:// or https:// URL")
        }
        if let region, !CredentialScope.isRegionName(Substring(region)) { found.append("--s3-region must be 1 to 20 characters of a-z, 0-9 and -") }
        return found
    }
}
