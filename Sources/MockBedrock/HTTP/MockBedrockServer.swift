import CMicroHTTPD
import Fixtures
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The mock on a libmicrohttpd daemon: an internal epoll thread pool with keep-alive, serving
/// `MockBedrockService`. Start one in a Swift test with port 0 and read `port`.
///
///     let server = try MockBedrockServer(configuration: .init(fixtures: "fixtures"))
///     defer { server.stop() }
///     // point a client at "http://127.0.0.1:\(server.port)"
public final class MockBedrockServer: Sendable {
    public struct Configuration: Sendable {
        /// Address to listen on; `127.0.0.1` keeps the mock off the network.
        public var host: String
        /// 0 lets the kernel pick a free port; read it back from `MockBedrockServer.port`.
        public var port: UInt16
        /// Threads of libmicrohttpd's internal thread pool (each runs its own epoll loop).
        public var threads: Int

        public init(host: String = "127.0.0.1", port: UInt16 = 0, threads: Int = MockBedrockServer.defaultThreads) {
            self.host = host
            self.port = port
            self.threads = threads
        }
    }

    /// The number of cores online.
    public static var coreCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// The default pool size: the number of cores, and at least 2, because libmicrohttpd 0.9.75 with
    /// a single epoll thread stalls past about 128 open connections (bench/REPORT.md).
    public static var defaultThreads: Int { max(2, coreCount) }

    public let service: MockBedrockService
    public let configuration: Configuration
    /// The port the server listens on (the one picked when configured with port 0).
    public var port: UInt16 { boundPort.load(ordering: .relaxed) }
    private let boundPort = Atomic<UInt16>(0)
    let logger: Logger
    /// Owned C pointer; `stop()` releases it once. A Mutex makes stop safe from any thread.
    private let daemon: Mutex<UnsafeDaemon?>
    /// Connections held for a delay or a stall.
    let suspended = SuspendedConnections()

    /// Starts serving `service`; the server accepts connections when this returns.
    public init(service: MockBedrockService, configuration: Configuration = Configuration(), logger: Logger = Logger(label: "mock-bedrock")) throws(ServerError) {
        self.service = service
        self.configuration = configuration
        self.logger = logger
        self.daemon = Mutex(nil)
        guard configuration.threads >= 1 else { throw ServerError(operation: "start", detail: "threads must be at least 1") }
        let address = try SocketAddress(host: configuration.host, port: configuration.port)
        let started = Self.startDaemon(
            address: address, threads: configuration.threads, verbose: logger.logLevel <= .debug,
            context: Unmanaged.passUnretained(self).toOpaque())
        guard let started else {
            throw ServerError(operation: "listen on \(configuration.host):\(configuration.port)", detail: String(cString: strerror(errno)))
        }
        self.daemon.withLock { $0 = UnsafeDaemon(pointer: started) }
        boundPort.store(mhd_shim_bound_port(started), ordering: .relaxed)
    }

    /// Loads the fixtures at `path` (a directory of `*.json` or one file) and starts serving them on a
    /// clock that starts at `clockStart` and runs at `clockRate` simulated seconds per real second.
    public convenience init(
        fixtures path: String, clockStart: Timestamp = .wallClockNow(), clockRate: Double = 1, rateLimits: [RateLimit] = [],
        configuration: Configuration = Configuration(), logger: Logger = Logger(label: "mock-bedrock")
    ) throws {
        let jobs = try FixtureLoader.load(path: path, defaultSubmitTime: clockStart)
        let service = MockBedrockService(fixtures: jobs, clockStart: clockStart, clockRate: clockRate, rateLimits: rateLimits)
        try self.init(service: service, configuration: configuration, logger: logger)
    }

    /// The URL clients use: `http://HOST:PORT` (IPv6 hosts in brackets).
    public var endpoint: String {
        let host = configuration.host.contains(":") && !configuration.host.hasPrefix("[") ? "[\(configuration.host)]" : configuration.host
        return "http://\(host):\(port)"
    }

    /// Stops listening, lets libmicrohttpd finish its threads and closes every connection. Idempotent.
    public func stop() {
        let taken = daemon.withLock { daemon -> UnsafeDaemon? in
            defer { daemon = nil }
            return daemon
        }
        guard let taken else { return }
        suspended.stop()
        MHD_stop_daemon(taken.pointer)
    }

    deinit { stop() }

    private static func startDaemon(address: SocketAddress, threads: Int, verbose: Bool, context: UnsafeMutableRawPointer) -> OpaquePointer? {
        var address = address
        // TURBO: opportunistic reads and writes, and no shutdown(SHUT_WR) before a close, so that a
        // `reset` fault (linger 0) reaches the client as a bare RST. SUSPEND_RESUME: delays and stalls.
        var flags = MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue | MHD_USE_TURBO.rawValue
            | MHD_ALLOW_SUSPEND_RESUME.rawValue
        if address.isIPv6 { flags |= MHD_USE_IPv6.rawValue }
        if verbose { flags |= MHD_USE_ERROR_LOG.rawValue }
        return withUnsafeMutablePointer(to: &address.storage) { storage in
            storage.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                var options: [MHD_OptionItem] = [
                    MHD_OptionItem(option: MHD_OPTION.SOCK_ADDR, value: 0, ptr_value: UnsafeMutableRawPointer(socketAddress)),
                    MHD_OptionItem(
                        option: MHD_OPTION.NOTIFY_COMPLETED,
                        value: unsafeBitCast(requestCompleted as MHD_RequestCompletedCallback, to: Int.self),
                        ptr_value: nil),
                ]
                if threads > 1 {
                    options.append(MHD_OptionItem(option: MHD_OPTION.THREAD_POOL_SIZE, value: threads, ptr_value: nil))
                }
                options.append(MHD_OptionItem(option: MHD_OPTION.END, value: 0, ptr_value: nil))
                return mhd_shim_start_daemon(flags, 0, accessHandler, context, &options)
            }
        }
    }
}

/// The daemon pointer, which libmicrohttpd lets any thread stop.
private struct UnsafeDaemon: @unchecked Sendable {
    let pointer: OpaquePointer
}
