import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// An HTTP server on 127.0.0.1 (a port the kernel picks) that answers each request as the test
/// scripts it, one request a connection, each connection on a thread of its own: it reads the
/// request's head and its Content-Length body, records it, and does what `reply` says for that
/// request's number (from 0, in the order the requests were read).
public final class ScriptedHTTPServer: @unchecked Sendable {
    public struct Request: Sendable {
        /// `GET /bucket/key?query HTTP/1.1`.
        public var line: String
        public var method: String
        /// The path and query as sent.
        public var target: String
        /// Names in lower case.
        public var headers: [String: String]
        public var bodyCount: Int
    }

    public enum Reply: Sendable {
        /// These bytes, then the connection closes.
        case send([UInt8])
        /// A reset (RST) without a byte of answer.
        case reset
        /// Nothing, until the server is closed.
        case stall
        /// These bytes, then nothing more until the server is closed (a head whose body never comes).
        case sendThenStall([UInt8])
    }

    public let port: UInt16
    private let descriptor: Int32
    private let received = Mutex<[Request]>([])
    private let closed = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    public var requests: [Request] { received.withLock { $0 } }

    public init(reply: @escaping @Sendable (Int, Request) -> Reply) throws {
        (descriptor, port) = try Loopback.listen(backlog: 64)
        let descriptor = descriptor
        // Queues of their own, not the global one: a queue made here runs on a thread of its own when the
        // others block (libdispatch's global queue has about a thread a core, which stalled answers would fill).
        DispatchQueue(label: "scripted-http-accept").async { [self] in
            defer { finished.signal() }
            while true {
                let connection = accept(descriptor, nil, nil)
                guard connection >= 0 else { return }
                // Each connection on a thread of its own, so that one stalled answer holds no other.
                DispatchQueue(label: "scripted-http-connection").async { [self] in serve(connection, reply) }
            }
        }
    }

    private func serve(_ connection: Int32, _ reply: (Int, Request) -> Reply) {
        defer { Glibc.close(connection) }
        guard let request = Self.read(connection) else { return }
        let number = received.withLock {
            $0.append(request)
            return $0.count - 1
        }
        switch reply(number, request) {
        case .send(let bytes): Self.send(bytes, to: connection)
        case .reset:
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(connection, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        case .stall:
            waitForClose()
        case .sendThenStall(let bytes):
            Self.send(bytes, to: connection)
            waitForClose()
        }
    }

    /// Until `close()` (two minutes at most), passing the wake-up on to the next stalled connection.
    private func waitForClose() {
        _ = closed.wait(timeout: .now() + .seconds(120))
        closed.signal()
    }

    /// `http://127.0.0.1:port`.
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Waits until `count` requests have come, at most `milliseconds`.
    public func waitForRequests(_ count: Int, milliseconds: Int = 10_000) -> Bool {
        for _ in 0..<(milliseconds / 5) {
            if requests.count >= count { return true }
            usleep(5_000)
        }
        return requests.count >= count
    }

    /// Stops accepting, ends a stalled answer, and waits for the serving thread to finish.
    public func close() {
        closed.signal()
        shutdown(descriptor, Int32(SHUT_RDWR))
        _ = finished.wait(timeout: .now() + .seconds(5))
        Glibc.close(descriptor)
    }

    /// An answer: the status line, `Content-Length`, `Connection: close`, more fields, the body.
    public static func answer(_ status: Int, _ body: String = "", fields: [String] = []) -> [UInt8] {
        let head = (["HTTP/1.1 \(status) Scripted", "Content-Length: \(body.utf8.count)", "Connection: close"] + fields).joined(separator: "\r\n")
        return Array((head + "\r\n\r\n" + body).utf8)
    }

    /// S3's error document for `code`, in an answer of `status`.
    public static func s3Error(_ status: Int, _ code: String) -> [UInt8] {
        answer(status, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>\(code)</Code><Message>scripted</Message></Error>")
    }

    private static func send(_ bytes: [UInt8], to connection: Int32) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return }
            offset += sent
        }
    }

    /// One request: the head up to the blank line, then Content-Length bytes of body (read and dropped).
    private static func read(_ connection: Int32) -> Request? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let marker = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            let count = Glibc.read(connection, &chunk, chunk.count)
            guard count > 0 else { return nil }
            bytes += chunk[0..<count]
            headEnd = bytes.firstRange(of: marker)?.upperBound
        }
        guard let headEnd else { return nil }
        let lines = String(decoding: bytes[..<headEnd], as: UTF8.self).split(separator: "\r\n")
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = String(line[line.index(after: colon)...].drop { $0 == " " })
        }
        let length = headers["content-length"].flatMap { Int($0) } ?? 0
        var remaining = length - (bytes.count - headEnd)
        while remaining > 0 {
            let count = Glibc.read(connection, &chunk, min(chunk.count, remaining))
            guard count > 0 else { return nil }
            remaining -= count
        }
        let line = lines.first.map(String.init) ?? ""
        let parts = line.split(separator: " ")
        return Request(
            line: line, method: parts.first.map(String.init) ?? "", target: parts.dropFirst().first.map(String.init) ?? "", headers: headers,
            bodyCount: length)
    }
}
