import Dispatch
import Foundation
import LiveTestSupport
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A small HTTP server on 127.0.0.1, on a port the kernel picks, for the sinks to talk to: it
/// reads each request whole, records it, and answers as the test says (`reply`, given the
/// request's number from 0), one connection at a time, closing each after its answer.
final class HTTPReceiver: @unchecked Sendable {
    struct Request: Sendable {
        var method: String
        var path: String
        /// Names in lower case.
        var headers: [String: String]
        var body: [UInt8]
    }

    enum Reply: Sendable {
        case answer(status: Int, body: String = "")
        /// Reads the request and never answers, until the receiver is closed.
        case stall
        /// Sends the status line and a head announcing a body of 100 bytes, then nothing until the
        /// client hangs up (or 60 s): a receiver that took the event and stalls on its answer.
        case statusThenStall(status: Int)
    }

    let port: UInt16
    private let descriptor: Int32
    private let received = Mutex<[Request]>([])
    private let closed = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    var requests: [Request] { received.withLock { $0 } }

    init(reply: @escaping @Sendable (Int) -> Reply) throws {
        let (descriptor, port) = try Loopback.listen(backlog: 64)
        self.descriptor = descriptor
        self.port = port
        // A thread of its own, not Dispatch's pool: with every suite running at once (ThreadSanitizer
        // makes them slow), tests that block pool threads could leave a receiver waiting for one.
        Thread { [self] in
            defer { finished.signal() }
            while true {
                let connection = accept(descriptor, nil, nil)
                guard connection >= 0 else { return }
                var handedOff = false
                defer { if !handedOff { Glibc.close(connection) } }
                guard let request = Self.read(connection) else { continue }
                let number = received.withLock {
                    $0.append(request)
                    return $0.count - 1
                }
                switch reply(number) {
                case .answer(let status, let body):
                    let text = "HTTP/1.1 \(status) Whatever\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
                    _ = Array(text.utf8).withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                case .stall:
                    _ = closed.wait(timeout: .now() + .seconds(60))
                    closed.signal()
                case .statusThenStall(let status):
                    let head = "HTTP/1.1 \(status) Whatever\r\nContent-Length: 100\r\nConnection: close\r\n\r\n"
                    _ = Array(head.utf8).withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    // Held on a thread of its own until the client hangs up, so that the next connection
                    // (the client's retry) is served meanwhile, whenever the client closes this one.
                    handedOff = true
                    Thread {
                        Self.waitForHangUp(connection)
                        Glibc.close(connection)
                    }.start()
                }
            }
        }.start()
    }

    /// The URL of `path` on this receiver.
    func url(_ path: String = "/hook") -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Waits until `count` requests have come, at most `milliseconds`.
    func waitForRequests(_ count: Int, milliseconds: Int = 5_000) -> Bool {
        for _ in 0..<(milliseconds / 10) {
            if requests.count >= count { return true }
            usleep(10_000)
        }
        return requests.count >= count
    }

    /// Stops accepting, ends a stalled answer, and waits for the serving thread to finish.
    func close() {
        closed.signal()
        shutdown(descriptor, Int32(SHUT_RDWR))
        _ = finished.wait(timeout: .now() + .seconds(5))
        Glibc.close(descriptor)
    }

    /// Until the client closes `connection` (a read of 0 bytes, or an error), at most 60 s.
    private static func waitForHangUp(_ connection: Int32) {
        var byte: UInt8 = 0
        for _ in 0..<600 {
            var poller = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
            if poll(&poller, 1, 100) == 1, recv(connection, &byte, 1, 0) <= 0 { return }
        }
    }

    /// One request: the head up to the blank line, then Content-Length bytes of body.
    private static func read(_ connection: Int32) -> Request? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        var headEnd: Int?
        var contentLength = 0
        while true {
            if headEnd == nil, let end = bytes.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound {
                headEnd = end
                for line in String(decoding: bytes[..<end], as: UTF8.self).split(separator: "\r\n").dropFirst() {
                    let parts = line.split(separator: ":", maxSplits: 1)
                    if parts.count == 2, parts[0].lowercased() == "content-length" { contentLength = Int(parts[1].trimmingSpaces) ?? 0 }
                }
            }
            if let headEnd, bytes.count >= headEnd + contentLength { break }
            let count = Glibc.read(connection, &chunk, chunk.count)
            guard count > 0 else { return nil }
            bytes += chunk[0..<count]
        }
        guard let headEnd else { return nil }
        let lines = String(decoding: bytes[..<headEnd], as: UTF8.self).split(separator: "\r\n")
        let requestLine = lines.first?.split(separator: " ") ?? []
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { headers[parts[0].lowercased()] = String(parts[1].trimmingSpaces) }
        }
        return Request(
            method: requestLine.first.map(String.init) ?? "", path: requestLine.dropFirst().first.map(String.init) ?? "", headers: headers,
            body: Array(bytes[headEnd..<(headEnd + contentLength)]))
    }

}

extension Substring {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

/// Log lines a sink writes, kept for the test to read.
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    var sink: @Sendable (String) -> Void { { [self] line in lines.withLock { $0.append(line) } } }
}
