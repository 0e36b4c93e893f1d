import CMicroHTTPD
import Fixtures
import Logging
import Dispatch
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
        /// Open connections at most; past it, new connections are closed as soon as they are accepted.
        public var maxConnections: Int
        /// Seconds a connection may stay silent (idle between requests, or a request arriving too
        /// slowly) before it is closed; 0 never closes one.
        public var idleTimeoutSeconds: Int
        /// The largest request body read; a larger one is read to its end and discarded, and answered
        /// 413 RequestEntityTooLargeException (a client still sending past 16x this is disconnected).
        public var maxBodyBytes: Int

        public static let defaultMaxConnections = 1024
        public static let defaultIdleTimeoutSeconds = 60
        public static let defaultMaxBodyBytes = 1 << 20

        public init(
            host: String = "127.0.0.1", port: UInt16 = 0, threads: Int = MockBedrockServer.defaultThreads,
            maxConnections: Int = Configuration.defaultMaxConnections, idleTimeoutSeconds: Int = Configuration.defaultIdleTimeoutSeconds,
            maxBodyBytes: Int = Configuration.defaultMaxBodyBytes
        ) {
            self.host = host
            self.port = port
            self.threads = threads
            self.maxConnections = maxConnections
            self.idleTimeoutSeconds = idleTimeoutSeconds
            self.maxBodyBytes = maxBodyBytes
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
    private let daemon: Locked<UnsafeDaemon?>
    /// Connections held for a delay or a stall.
    let suspended = SuspendedConnections()
    /// Requests begun and not yet completed (answered, or their connection closed).
    let requestsInFlight = Atomic<Int>(0)
    /// Set when a graceful stop begins: every response from then on closes its connection.
    let isStopping = Atomic<Bool>(false)

    /// Starts serving `service`; the server accepts connections when this returns.
    public init(service: MockBedrockService, configuration: Configuration = Configuration(), logger: Logger = Logger(label: "mock-bedrock")) throws(ServerError) {
        self.service = service
        self.configuration = configuration
        self.logger = logger
        self.daemon = Locked(nil)
        guard configuration.threads >= 1 else { throw ServerError(operation: "start", detail: "threads must be at least 1") }
        guard configuration.maxConnections >= configuration.threads else {
            throw ServerError(operation: "start", detail: "maxConnections must be at least the number of threads")
        }
        guard configuration.idleTimeoutSeconds >= 0, configuration.maxBodyBytes >= 0 else {
            throw ServerError(operation: "start", detail: "idleTimeoutSeconds and maxBodyBytes must not be negative")
        }
        let address = try SocketAddress(host: configuration.host, port: configuration.port)
        let started = Self.startDaemon(
            address: address, configuration: configuration, verbose: logger.logLevel <= .debug,
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
    /// With a `grace` period, new connections are refused at once, and requests in flight (a
    /// delayed one too) get up to `grace` seconds to be answered before the connections close.
    /// With `limit`, waits at most that many seconds in all: libmicrohttpd joins its threads, and a
    /// thread stuck in a request would hold the stop forever. Returns false when the limit passed
    /// first; the daemon's threads then still run, and the caller should leave the process (`_exit`).
    @discardableResult
    public func stop(grace: Double = 0, limit: Double? = nil) -> Bool {
        guard let limit else {
            stopDaemon(grace: grace)
            return true
        }
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { [self] in
            stopDaemon(grace: min(grace, limit))
            done.signal()
        }
        return done.wait(timeout: .now() + .nanoseconds(Int(max(0, limit) * 1e9))) == .success
    }

    private func stopDaemon(grace: Double) {
        let taken = daemon.withLock { daemon -> UnsafeDaemon? in
            defer { daemon = nil }
            return daemon
        }
        guard let taken else { return }
        var listener: Int32 = -1
        if grace > 0 {
            isStopping.store(true, ordering: .releasing)
            listener = MHD_quiesce_daemon(taken.pointer)
            // Refuse new connections now rather than leave them in the backlog until the close below.
            if listener >= 0 { shutdown(listener, Int32(SHUT_RDWR)) }
            let deadline = monotonicNanoseconds() + UInt64(min(grace, 60) * 1e9)
            while requestsInFlight.load(ordering: .acquiring) > 0, monotonicNanoseconds() < deadline {
                usleep(2_000)
            }
        }
        suspended.stop()
        MHD_stop_daemon(taken.pointer)
        if listener >= 0 { close(listener) }  // a quiesced daemon leaves its listening socket to the caller
    }

    deinit { stop() }

    private static func startDaemon(address: SocketAddress, configuration: Configuration, verbose: Bool, context: UnsafeMutableRawPointer) -> OpaquePointer? {
        var address = address
        // TURBO: opportunistic reads and writes, and no shutdown(SHUT_WR) before a close, so that a
        // `reset` fault (linger 0) reaches the client as a bare RST. SUSPEND_RESUME: delays and stalls.
        // ITC: the pool threads can be told to stop accepting (quiesce) for a graceful stop.
        var flags = MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue | MHD_USE_TURBO.rawValue
            | MHD_ALLOW_SUSPEND_RESUME.rawValue | MHD_USE_ITC.rawValue
        if address.isIPv6 { flags |= MHD_USE_IPv6.rawValue }
        if verbose { flags |= MHD_USE_ERROR_LOG.rawValue }
        return withUnsafeMutablePointer(to: &address.storage) { storage in
            storage.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                var options: [MHD_OptionItem] = [
                    MHD_OptionItem(option: MHD_OPTION.SOCK_ADDR, value: 0, ptr_value: UnsafeMutableRawPointer(socketAddress)),
                    MHD_OptionItem(
                        option: MHD_OPTION.NOTIFY_COMPLETED,
                        value: unsafeBitCast(requestCompleted as MHD_RequestCompletedCallback, to: Int.self),
                        ptr_value: context),  // the server, for its count of requests in flight
                ]
                if configuration.threads > 1 {
                    options.append(MHD_OptionItem(option: MHD_OPTION.THREAD_POOL_SIZE, value: configuration.threads, ptr_value: nil))
                }
                options.append(MHD_OptionItem(option: MHD_OPTION.CONNECTION_LIMIT, value: configuration.maxConnections, ptr_value: nil))
                options.append(MHD_OptionItem(option: MHD_OPTION.CONNECTION_TIMEOUT, value: configuration.idleTimeoutSeconds, ptr_value: nil))
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
