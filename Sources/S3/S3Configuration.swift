/// Where the S3 client connects, with which credentials, and how long it waits. Timeouts bound
/// every call, so that a worker reading inputs or writing outputs never hangs on a dead or
/// stalled endpoint.
public struct S3Configuration: Sendable {
    /// Scheme, host and optional port, no path: `http://127.0.0.1:9000`,
    /// `https://s3.us-east-1.amazonaws.com`. Buckets go in the path (path-style URLs).
    public var endpoint: String
    /// The region in the signatures' credential scope (and CreateBucket's location).
    public var region: String
    public var accessKeyId: String
    public var secretAccessKey: String
    /// The session token of temporary credentials, sent as `x-amz-security-token`.
    public var sessionToken: String?
    /// How long establishing a connection (TCP, and TLS for https) may take.
    public var connectTimeoutSeconds: Int
    /// How long one whole request may take, connection and body included. A streamed GetObject has
    /// no total bound (a large input takes as long as it keeps moving); the low-speed limit ends it
    /// when it stops.
    public var requestTimeoutSeconds: Int
    /// A transfer slower than this many bytes a second for `lowSpeedTimeSeconds` is abandoned, so
    /// that a trickling server fails long before `requestTimeoutSeconds`.
    public var lowSpeedLimitBytesPerSecond: Int
    public var lowSpeedTimeSeconds: Int

    public init(
        endpoint: String, region: String, accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil,
        connectTimeoutSeconds: Int = 5, requestTimeoutSeconds: Int = 60, lowSpeedLimitBytesPerSecond: Int = 1024, lowSpeedTimeSeconds: Int = 10
    ) {
        self.endpoint = endpoint
        self.region = region
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.requestTimeoutSeconds = requestTimeoutSeconds
        self.lowSpeedLimitBytesPerSecond = lowSpeedLimitBytesPerSecond
        self.lowSpeedTimeSeconds = lowSpeedTimeSeconds
    }
}
