import CMicroHTTPD
import Fixtures
import Sync
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The listening socket and a thread that accepts connections on it and hands each to
/// libmicrohttpd (`MHD_add_connection`, which gives it to a pool thread and wakes that thread).
///
/// Written by hand because libmicrohttpd 0.9.75 offers no good accept loop for a thread pool:
/// its epoll loop loses connections past 128 ready at once on one thread (the stall), and its
/// poll() loop accepts one connection a round, so 1024 connections opened at once on one thread
/// waited up to nine seconds to be accepted. This thread accepts as fast as clients connect.
///
/// At `limit` connections (handed over and not yet closed) it holds the next one, unread, until
/// one closes, and the ones after wait in the kernel's listen backlog.
final class Acceptor: Sendable {
    /// The bound port (the one the kernel picked for port 0).
    let port: UInt16
    private let listener: Int32
    private let limit: Int
    /// Connections libmicrohttpd holds open (its connection notifications count them).
    let open = Atomic<Int>(0)
    /// Connections handed over that no pool thread has taken yet (libmicrohttpd notifies STARTED
    /// when one does). With `open` they make the count the limit applies to, so that a burst handed
    /// over while the pool threads are busy cannot pass the limit.
    let pending = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    /// The thread, and whether the acceptor was stopped: one lock, so that a stop during a start
    /// neither misses the thread nor lets it run on a closed socket.
    private let lifecycle = Locked<(thread: pthread_t?, stopped: Bool)>((nil, false))

    /// How long the thread sleeps at the limit before it looks again.
    static let limitPauseMicroseconds: UInt32 = 2_000

    /// Binds and listens on `address`; nothing is accepted until `start(daemon:)`.
    init(address: SocketAddress, limit: Int) throws(ServerError) {
        let family = address.isIPv6 ? AF_INET6 : AF_INET
        let descriptor = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw Self.error("open a socket") }
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        if address.isIPv6 { setsockopt(descriptor, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &yes, socklen_t(MemoryLayout<Int32>.size)) }
        var storage = address.storage
        let length = socklen_t(address.isIPv6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        guard bound == 0, listen(descriptor, SOMAXCONN) == 0 else {
            let error = Self.error("listen")
            close(descriptor)
            throw error
        }
        var actual = sockaddr_storage()
        var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &actualLength) } }
        self.port = withUnsafeBytes(of: &actual) { raw in
            address.isIPv6
                ? UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port) : UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port)
        }
        self.listener = descriptor
        self.limit = limit
    }

    private static func error(_ operation: String) -> ServerError {
        ServerError(operation: operation, detail: String(cString: strerror(errno)))
    }

    /// Starts the accepting thread (once; not after `stop`).
    func start(daemon: OpaquePointer) throws(ServerError) {
        try lifecycle.withLock { (state: inout (thread: pthread_t?, stopped: Bool)) throws(ServerError) in
            guard state.thread == nil, !state.stopped else { return }
            let context = Unmanaged.passRetained(AcceptorContext(acceptor: self, daemon: daemon)).toOpaque()
            var created = pthread_t()
            guard pthread_create(&created, nil, acceptorMain, context) == 0 else {
                Unmanaged<AcceptorContext>.fromOpaque(context).release()
                throw Self.error("start the accepting thread")
            }
            state.thread = created
        }
    }

    /// Stops accepting and closes the listening socket: new connections are refused from now on.
    /// Idempotent, from any thread; returns when the thread has ended (a second caller waits too).
    func stop() {
        lifecycle.withLock { state in
            guard !state.stopped else { return }
            state.stopped = true
            stopping.store(true, ordering: .releasing)
            shutdown(listener, Int32(SHUT_RDWR))  // a blocked accept() returns at once
            if let running = state.thread { pthread_join(running, nil) }
            close(listener)
        }
    }

    /// The thread's loop: accept, wait while the server is at its limit, hand over.
    fileprivate func run(daemon: OpaquePointer) {
        while !stopping.load(ordering: .acquiring) {
            var peer = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let client = withUnsafeMutablePointer(to: &peer) {
                // libmicrohttpd makes the socket non-blocking and not inherited (TURBO) itself.
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listener, $0, &length) }
            }
            guard client >= 0 else {
                switch errno {
                case EINTR, ECONNABORTED, EAGAIN: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM: usleep(10_000)  // out of descriptors: let some close
                default: if stopping.load(ordering: .acquiring) { return } else { usleep(10_000) }
                }
                continue
            }
            // At the limit the connection waits here, unread, as it would in the backlog.
            while open.load(ordering: .relaxed) + pending.load(ordering: .relaxed) >= limit {
                guard !stopping.load(ordering: .acquiring) else {
                    close(client)
                    return
                }
                usleep(Self.limitPauseMicroseconds)
            }
            // libmicrohttpd closes the socket itself when it cannot take the connection. A connection
            // it queued but could not set up (out of memory) is never notified and stays pending:
            // the limit is then one lower, not a connection lost.
            pending.add(1, ordering: .relaxed)
            let added = withUnsafeMutablePointer(to: &peer) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { MHD_add_connection(daemon, client, $0, length) }
            }
            if added != MHD_Result.YES { pending.subtract(1, ordering: .relaxed) }
        }
    }
}

/// What the accepting thread needs; the thread owns one retain.
private final class AcceptorContext {
    let acceptor: Acceptor
    let daemon: OpaquePointer

    init(acceptor: Acceptor, daemon: OpaquePointer) {
        self.acceptor = acceptor
        self.daemon = daemon
    }
}

private func acceptorMain(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let context else { return nil }
    let owned = Unmanaged<AcceptorContext>.fromOpaque(context).takeRetainedValue()
    owned.acceptor.run(daemon: owned.daemon)
    return nil
}

/// libmicrohttpd's connection notifications: the acceptor's count of open connections.
let connectionNotified: MHD_NotifyConnectionCallback = { context, _, _, code in
    guard let context else { return }
    let server = Unmanaged<MockBedrockServer>.fromOpaque(context).takeUnretainedValue()
    // MHD_CONNECTION_NOTIFY_STARTED is 0, MHD_CONNECTION_NOTIFY_CLOSED 1 (microhttpd.h).
    switch code.rawValue {
    case 0:
        server.acceptor.open.add(1, ordering: .relaxed)
        server.acceptor.pending.subtract(1, ordering: .relaxed)
    case 1:
        server.acceptor.open.subtract(1, ordering: .relaxed)
    default: break
    }
}
