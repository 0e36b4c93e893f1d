import CMicroHTTPD
import Fixtures
import Logging
import Sync
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The mock on a libmicrohttpd daemon: an internal poll() thread pool with keep-alive, serving
/// `MockBedrockService`. Start one in a Swift test with port 0 and read `port`.
///
///     let server = try MockBedrockServer(configuration: ServerConfiguration(fixtures: "fixtures"))
///     defer { server.stop() }
///     // point a client at "http://127.0.0.1:\(server.port)"
public final class MockBedrockServer: Sendable {
    /// The number of cores online.
    public static var coreCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// The default pool size: the number of cores.
    public static var defaultThreads: Int { coreCount }

    public let service: MockBedrockService
    public let configuration: ServerConfiguration
    /// The port the server listens on (the one picked when configured with port 0).
    public var port: UInt16 { acceptor.port }
    let logger: Logger
    /// The listening socket and the thread that accepts on it.
    let acceptor: Acceptor
    /// Owned C pointer; `stop()` releases it once. The lock makes stop safe from any thread.
    private let daemon: Locked<UnsafeDaemon?>
    /// Connections held for a delay or a stall.
    let suspended = SuspendedConnections()
    /// Requests begun and not yet completed (answered, or their connection closed).
    let requestsInFlight = Atomic<Int>(0)
    /// Set when a graceful stop begins: every response from then on closes its connection.
    let isStopping = Atomic<Bool>(false)

    /// Starts serving `service` with the listening part of `configuration` (the jobs, the clock and the
    /// settings are the service's); the server accepts connections when this returns.
    public init(service: MockBedrockService, configuration: ServerConfiguration = ServerConfiguration(), logger: Logger = Logger(label: "mock-bedrock")) throws(ServerError) {
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
        do {
            self.acceptor = try Acceptor(address: address, limit: configuration.maxConnections)
        } catch {
            throw ServerError(operation: "listen on \(configuration.host):\(configuration.port)", detail: error.detail)
        }
        let started = Self.startDaemon(configuration: configuration, verbose: logger.logLevel <= .debug, context: Unmanaged.passUnretained(self).toOpaque())
        guard let started else {
            let detail = String(cString: strerror(errno))
            acceptor.stop()
            throw ServerError(operation: "start \(configuration.threads) threads", detail: detail)
        }
        self.daemon.withLock { $0 = UnsafeDaemon(pointer: started) }
        do {
            try acceptor.start(daemon: started)
        } catch {
            stop()
            throw error
        }
        service.counters.connections.withLock { count in
            count = { [weak self] in self?.daemon.withLock { $0.map { Int(mhd_shim_current_connections($0.pointer)) } } ?? nil }
        }
        service.events.logger.withLock { $0 = logger }
        service.events.start(outlets: configuration.eventOutlets)
    }

    /// Loads the fixtures the configuration names and serves them, its clock and its settings.
    /// Throws `FixtureLoadError` (every problem of the fixtures) or `ServerError`.
    public convenience init(configuration: ServerConfiguration, logger: Logger = Logger(label: "mock-bedrock")) throws {
        if let problem = configuration.problems.first { throw ServerError(operation: "start", detail: problem) }
        let start = configuration.clockStart ?? .wallClockNow()
        let jobs = try configuration.fixtures.map { path throws(FixtureLoadError) in try FixtureLoader.load(path: path, defaultSubmitTime: start) } ?? []
        let service = MockBedrockService(
            fixtures: jobs, clockStart: start, clockRate: configuration.clockRate, rateLimits: configuration.rateLimits,
            journalSize: configuration.journalSize, settings: configuration.service, dataPlane: try DataPlane(configuration.data, logger: logger))
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
    /// libmicrohttpd joins its threads here: a thread stuck in a request holds the stop (the command
    /// bounds the whole process's stop instead, `MockBedrockCommand.exit(after:)`).
    public func stop(grace: Double = 0) {
        let taken = daemon.withLock { daemon -> UnsafeDaemon? in
            defer { daemon = nil }
            return daemon
        }
        guard let taken else { return }
        // Refuse new connections now rather than leave them in the backlog until the close below.
        acceptor.stop()
        if grace > 0 {
            isStopping.store(true, ordering: .releasing)
            // Readers waiting for events and operations waiting for data work answer now, with what
            // they have, rather than hold the stop.
            suspended.resumeWaits()
            let deadline = monotonicNanoseconds() + UInt64(min(grace, 60) * 1e9)
            while requestsInFlight.load(ordering: .acquiring) > 0, monotonicNanoseconds() < deadline {
                usleep(2_000)
            }
        }
        suspended.stop()
        MHD_stop_daemon(taken.pointer)
        service.events.stop(milliseconds: 500)
    }

    deinit { stop() }

    private static func startDaemon(configuration: ServerConfiguration, verbose: Bool, context: UnsafeMutableRawPointer) -> OpaquePointer? {
        // POLL: each pool thread waits in poll(), level-triggered, on its own connections. Not EPOLL:
        // libmicrohttpd 0.9.75's epoll loop drains its 128-slot event array in a loop that calls
        // epoll_wait again with the full timeout whenever a call filled the array; when a full call
        // took the last ready connections (256 of 256 ready at once, say), the next call blocks for
        // the idle timeout with them taken off the kernel's list and not yet served; their clients
        // wait for answers, so no new edge comes (bench/REPORT.md, "The stall"). poll() is asked anew
        // each round and loses nothing.
        // TURBO: opportunistic reads and writes, and no shutdown(SHUT_WR) before a close, so that a
        // `reset` fault (linger 0) reaches the client as a bare RST. SUSPEND_RESUME: delays and stalls.
        // ITC: the Acceptor's MHD_add_connection wakes the pool thread it gives a connection to.
        // NO_LISTEN_SOCKET: the Acceptor listens and accepts (libmicrohttpd's poll() loop accepts
        // one connection a round).
        var flags =
            MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_POLL.rawValue | MHD_USE_TURBO.rawValue
            | MHD_ALLOW_SUSPEND_RESUME.rawValue | MHD_USE_ITC.rawValue | MHD_USE_NO_LISTEN_SOCKET.rawValue
        if verbose { flags |= MHD_USE_ERROR_LOG.rawValue }
        var options: [MHD_OptionItem] = [
            MHD_OptionItem(
                option: MHD_OPTION.NOTIFY_COMPLETED,
                value: unsafeBitCast(requestCompleted as MHD_RequestCompletedCallback, to: Int.self),
                ptr_value: context),  // the server, for its count of requests in flight
            MHD_OptionItem(
                option: MHD_OPTION.NOTIFY_CONNECTION,
                value: unsafeBitCast(connectionNotified as MHD_NotifyConnectionCallback, to: Int.self),
                ptr_value: context),  // the server, for the Acceptor's count of open connections
        ]
        if configuration.threads > 1 {
            options.append(MHD_OptionItem(option: MHD_OPTION.THREAD_POOL_SIZE, value: configuration.threads, ptr_value: nil))
        }
        // The Acceptor holds connections back at the limit. libmicrohttpd splits its own limit among the
        // pool threads: this one leaves each thread room for all, so that it never refuses one.
        options.append(
            MHD_OptionItem(
                option: MHD_OPTION.CONNECTION_LIMIT, value: configuration.threads * (configuration.maxConnections + 64), ptr_value: nil))
        options.append(MHD_OptionItem(option: MHD_OPTION.CONNECTION_TIMEOUT, value: configuration.idleTimeoutSeconds, ptr_value: nil))
        options.append(MHD_OptionItem(option: MHD_OPTION.END, value: 0, ptr_value: nil))
        return mhd_shim_start_daemon(flags, 0, accessHandler, context, &options)
    }
}

/// The daemon pointer, which libmicrohttpd lets any thread stop.
private struct UnsafeDaemon: @unchecked Sendable {
    let pointer: OpaquePointer
}
