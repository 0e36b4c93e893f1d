/// One HTTP request as the client sends it: the URL already encoded, the header fields (signed
/// ones included), and the body of a PUT or POST.
public struct HTTPExchange: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String, url: String, headers: [(name: String, value: String)], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// What came back: the status, the gathered body (empty when streamed), and the two header
/// fields the clients read.
public struct HTTPOutcome: Sendable {
    public var status: Int
    public var body: [UInt8]
    public var etag: String?
    /// Content-Length, nil when the answer had none.
    public var contentLength: Int64?

    public init(status: Int, body: [UInt8], etag: String? = nil, contentLength: Int64? = nil) {
        self.status = status
        self.body = body
        self.etag = etag
        self.contentLength = contentLength
    }
}

/// How long one exchange may take. Every bound is finite but `totalMilliseconds`, which a streamed
/// read sets to 0 (none) and leaves to the low-speed limit, so that a large body may take as long
/// as it keeps moving.
public struct HTTPTimeouts: Sendable, Equatable {
    /// Establishing the connection (TCP, and TLS for https).
    public var connectMilliseconds: Int
    /// The whole exchange, connection included; 0 for no total bound.
    public var totalMilliseconds: Int
    /// A transfer slower than this many bytes a second for `lowSpeedTimeSeconds` is abandoned.
    public var lowSpeedLimitBytesPerSecond: Int
    public var lowSpeedTimeSeconds: Int

    public init(connectMilliseconds: Int, totalMilliseconds: Int, lowSpeedLimitBytesPerSecond: Int = 1024, lowSpeedTimeSeconds: Int = 10) {
        self.connectMilliseconds = connectMilliseconds
        self.totalMilliseconds = totalMilliseconds
        self.lowSpeedLimitBytesPerSecond = lowSpeedLimitBytesPerSecond
        self.lowSpeedTimeSeconds = lowSpeedTimeSeconds
    }
}
