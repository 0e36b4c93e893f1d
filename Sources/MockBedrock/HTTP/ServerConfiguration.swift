import Fixtures
import ServiceModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Everything a server is set up with, in one value: what the command line's flags set (each has a
/// `mock-bedrock` flag of the same meaning, docs/flags.md), what a Swift test sets, what the docs'
/// examples build. `problems` says what is out of range, in the flags' words.
public struct ServerConfiguration: Sendable {
    /// Address to listen on; `127.0.0.1` keeps the mock off the network. (`--host`)
    public var host: String
    /// 0 lets the kernel pick a free port; read it back from `MockBedrockServer.port`. (`--port`)
    public var port: UInt16
    /// Threads of libmicrohttpd's internal thread pool, each with its own poll() loop. (`--threads`)
    public var threads: Int
    /// Open connections at most; past it, a new connection waits unread until one closes (and the
    /// ones after it in the kernel's listen backlog). (`--max-connections`)
    public var maxConnections: Int
    /// Seconds a connection may stay silent (idle between requests, or a request arriving too
    /// slowly) before it is closed; 0 never closes one. (`--idle-timeout`)
    public var idleTimeoutSeconds: Int
    /// The largest request body read; a larger one is read to its end and discarded, and answered
    /// 413 RequestEntityTooLargeException (a client still sending past 16 times this, or past 1 MiB
    /// when this is smaller, is disconnected). (`--max-body-bytes`)
    public var maxBodyBytes: Int
    /// A directory of fixture `*.json` files, or one file; nil serves no fixture jobs. (`--fixtures`)
    public var fixtures: String?
    /// The virtual clock's time at start; nil is the wall clock's time then. (`--clock-start`)
    public var clockStart: Timestamp?
    /// Simulated seconds per real second; 0 freezes the clock. (`--clock-rate`)
    public var clockRate: Double
    /// Requests a second per operation past which ThrottlingException answers. (`--rate-limit`)
    public var rateLimits: [RateLimit]
    /// How many recent requests `GET /_mock/requests` keeps; 0 keeps none. (`--journal-size`)
    public var journalSize: Int
    /// Scoping, quotas, the admin API's access and SigV4 checking. (`--region`, `--account-id`,
    /// `--max-active-jobs`, `--no-admin`, `--admin-token`, `--verify-sigv4` and its keys)
    public var service: ServiceSettings
    /// Where jobs read their input and write their results, and the quotas. (`--s3-dir`,
    /// `--s3-endpoint` and the data flags, docs/batch-data.md)
    public var data: DataConfiguration
    /// Where lifecycle events go besides `GET /_mock/events`: a webhook, an EventBridge-compatible
    /// endpoint (`--events-url`, `--eventbridge-endpoint`, docs/events.md).
    public var eventOutlets: [EventOutlet] = []

    public static let defaultMaxConnections = 1024
    public static let defaultIdleTimeoutSeconds = 60
    public static let defaultMaxBodyBytes = 1 << 20
    public static let maxThreads = 256

    public init(
        host: String = "127.0.0.1", port: UInt16 = 0, threads: Int = MockBedrockServer.defaultThreads,
        maxConnections: Int = defaultMaxConnections, idleTimeoutSeconds: Int = defaultIdleTimeoutSeconds,
        maxBodyBytes: Int = defaultMaxBodyBytes, fixtures: String? = nil, clockStart: Timestamp? = nil, clockRate: Double = 1,
        rateLimits: [RateLimit] = [], journalSize: Int = 1000, service: ServiceSettings = ServiceSettings(), data: DataConfiguration = DataConfiguration()
    ) {
        self.host = host
        self.port = port
        self.threads = threads
        self.maxConnections = maxConnections
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.maxBodyBytes = maxBodyBytes
        self.fixtures = fixtures
        self.clockStart = clockStart
        self.clockRate = clockRate
        self.rateLimits = rateLimits
        self.journalSize = journalSize
        self.service = service
        self.data = data
    }

    /// Whether `text` is a region name as the mock takes one: 1 to 20 characters of a-z, 0-9 and -.
    public static func isRegionName(_ text: String) -> Bool {
        CredentialScope.isRegionName(Substring(text))
    }

    /// What is out of range, each in the words of its flag; empty when the configuration can serve.
    public var problems: [String] {
        var found: [String] = []
        if !(1...Self.maxThreads).contains(threads) { found.append("--threads must be from 1 to \(Self.maxThreads)") }
        if !(clockRate >= 0 && clockRate <= 1e9) { found.append("--clock-rate must be from 0 (frozen) to 1e9") }
        if !(0...1_000_000).contains(journalSize) { found.append("--journal-size must be from 0 to 1000000") }
        // The generated model has AccountId with its pattern (a test checks every pattern compiles).
        if !ShapeRules.matches(service.accountId, pattern: ServiceModel.shape("AccountId").pattern!) { found.append("--account-id must be 12 digits") }
        if !CredentialScope.isRegionName(Substring(service.region)) {
            found.append("--region must be 1 to 20 characters of a-z, 0-9 and -, like us-east-1")
        }
        if (service.maxActiveJobs ?? 1) < 1 { found.append("--max-active-jobs must be at least 1") }
        if maxConnections < threads || maxConnections > 1_000_000 {
            found.append("--max-connections must be from the number of threads to 1000000")
        }
        if !(0...31_536_000).contains(idleTimeoutSeconds) { found.append("--idle-timeout must be from 0 to 31536000 seconds") }
        if !(1024...(1 << 30)).contains(maxBodyBytes) { found.append("--max-body-bytes must be from 1024 to 1073741824") }
        return found + data.problems
    }

    /// Whether `host` only listens on the local machine.
    public static func isLoopback(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return bare == "localhost" || bare == "::1" || bare.hasPrefix("127.")
    }

    /// The warning for an admin API anyone on the network can use, nil when there is none to give.
    public var exposureWarning: String? {
        guard service.admin == .open, !Self.isLoopback(host) else { return nil }
        return "listening on \(host) with the admin API open: anyone who can reach the port can move the clock, inject faults "
            + "and reset the jobs. Pass --admin-token (or MOCK_BEDROCK_ADMIN_TOKEN) to require a token, or --no-admin to switch it off."
    }

    /// Raises the soft limit of open files to what the connections and the threads need (a socket
    /// each, and a few a thread), within the hard limit: many systems start programs at 1024.
    /// Returns a warning when the hard limit is lower than that.
    public func raiseOpenFileLimit() -> String? {
        let needed = rlim_t(maxConnections + 4 * threads + 64)
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < needed else { return nil }
        limit.rlim_cur = min(needed, limit.rlim_max)
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        guard limit.rlim_cur < needed else { return nil }
        return "--max-connections \(maxConnections) needs about \(needed) open files, and the limit is \(limit.rlim_max) (ulimit -Hn): "
            + "connections past it wait until others close"
    }
}
