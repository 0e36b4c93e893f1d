import Dispatch
import LiveTestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A TCP socket listening on 127.0.0.1, on a port the kernel picks. It never accepts by itself:
/// the kernel completes connections into its backlog, so a client connects and then hears nothing.
/// Tests close it when done (`defer`), which also keeps it alive until then.
final class LoopbackListener: @unchecked Sendable {
    let descriptor: Int32
    let port: UInt16
    /// Whether a thread answers connections: it then closes the socket itself when it stops, so that
    /// it never calls accept on a number the system has given to another test's socket.
    private var answering = false

    init() throws {
        (descriptor, port) = try Loopback.listen(backlog: 16)
    }

    /// A port nothing listens on (bound by the kernel's choice, then released).
    static func closedPort() throws -> UInt16 { try Loopback.closedPort() }

    /// A connection waiting in the backlog, without blocking; nil when none came.
    func pendingConnection() -> Int32? {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 0) == 1 else { return nil }
        let connection = accept(descriptor, nil, nil)
        return connection >= 0 ? connection : nil
    }

    /// Answers every connection with `response` (after reading the request's head), on a thread of
    /// its own, until closed: a server that says whatever a test needs it to say.
    func answerEveryConnection(with response: [UInt8]) {
        let descriptor = descriptor
        answering = true
        DispatchQueue.global().async {
            while true {
                let connection = accept(descriptor, nil, nil)
                guard connection >= 0 else {
                    Glibc.close(descriptor)
                    return
                }
                var head: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 4096)
                while !head.ends(with: Array("\r\n\r\n".utf8)) {
                    let count = read(connection, &chunk, chunk.count)
                    guard count > 0 else { break }
                    head += chunk[0..<count]
                }
                _ = response.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                Glibc.close(connection)
            }
        }
    }

    func close() {
        shutdown(descriptor, Int32(SHUT_RDWR))  // wakes a thread blocked in accept, which then closes the socket
        if !answering { Glibc.close(descriptor) }
    }
}

extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
