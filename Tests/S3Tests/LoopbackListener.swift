import Dispatch

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
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard descriptor >= 0, bound, listen(descriptor, 16) == 0 else { throw TestSetupError(message: "cannot listen on 127.0.0.1: errno \(errno)") }
        self.descriptor = descriptor
        port = UInt16(bigEndian: address.sin_port)
    }

    /// A port nothing listens on (bound by the kernel's choice, then released).
    static func closedPort() throws -> UInt16 {
        let listener = try LoopbackListener()
        listener.close()
        return listener.port
    }

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

struct TestSetupError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
