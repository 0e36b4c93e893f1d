/// Where the S3 client connects, with which credentials, how long it waits and how often it tries.
/// Timeouts bound every attempt and the attempts are counted, so that a worker reading inputs or
/// writing outputs never hangs on a dead or stalled endpoint.
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
    /// How many times a call is tried in all (1 to 10; 1 tries once, without retries). A failure
    /// AWS's SDKs retry (no connection, a reset or a timeout, 429, 500, 502, 503, 504, the throttling
    /// codes such as SlowDown) is tried again after a wait; a GetObject only while none of the
    /// object's bytes has reached the caller (it is not resumed).
    public var maxAttempts: Int
    /// AWS's SDKs' standard retry mode tries 3 times.
    public static let defaultMaxAttempts = 3
    /// The wait before the first retry is between half and all of this; each later one doubles it,
    /// up to `retryMaxDelayMilliseconds` (0 to 60,000 each).
    public var retryBaseDelayMilliseconds: Int
    public var retryMaxDelayMilliseconds: Int
    /// Called before each wait for a retry, on the calling thread (keep it short: it delays the call).
    public var onRetry: (@Sendable (S3Retry) -> Void)?

    public init(
        endpoint: String, region: String, accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil,
        connectTimeoutSeconds: Int = 5, requestTimeoutSeconds: Int = 60, lowSpeedLimitBytesPerSecond: Int = 1024, lowSpeedTimeSeconds: Int = 10,
        maxAttempts: Int = defaultMaxAttempts, retryBaseDelayMilliseconds: Int = 100, retryMaxDelayMilliseconds: Int = 2_000, onRetry: (@Sendable (S3Retry) -> Void)? = nil
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
        self.maxAttempts = maxAttempts
        self.retryBaseDelayMilliseconds = retryBaseDelayMilliseconds
        self.retryMaxDelayMilliseconds = retryMaxDelayMilliseconds
        self.onRetry = onRetry
    }
}
