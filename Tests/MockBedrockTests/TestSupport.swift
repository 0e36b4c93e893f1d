import Fixtures
import MockBedrock
import JSON
import ServiceModel

#if canImport(Glibc)
    import Glibc
#endif

extension HTTPRequest {
    /// A request as a client would send it; `path` is the raw, percent-encoded path.
    static func make(_ method: String = "GET", _ path: String = "/", headers: [(name: String, value: String)] = []) -> HTTPRequest {
        HTTPRequest(method: method, path: path, headers: headers)
    }
}

extension HTTPResponse {
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSONValue? { try? JSONParser.parse(body) }
}

enum TestJobs {
    static let completedId = "a1b2c3d4e5f6"
    static let euId = "e1e2e3e4e5e6"
    static let completedArn = "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/\(completedId)"
    static let euArn = "arn:aws:bedrock:eu-west-1:210987654321:model-invocation-job/\(euId)"

    static let completed = JobRecord(
        jobArn: completedArn, jobName: "nightly-summaries", modelId: "anthropic.claude-3-haiku-20240307-v1:0",
        roleArn: "arn:aws:iam::123456789012:role/BedrockBatchRole", status: .completed,
        submitTime: Timestamp(iso8601: "2026-03-01T10:00:00.123Z")!, endTime: Timestamp(iso8601: "2026-03-01T12:00:00Z")!,
        inputDataConfig: .init(s3Uri: "s3://in-bucket/input/"), outputDataConfig: .init(s3Uri: "s3://out-bucket/output/"),
        totalRecordCount: 10, processedRecordCount: 10, successRecordCount: 10, errorRecordCount: 0)

    static let eu = JobRecord(
        jobArn: euArn, jobName: "eu-job", modelId: "amazon.nova-lite-v1:0",
        roleArn: "arn:aws:iam::210987654321:role/BedrockBatchRole", status: .inProgress,
        submitTime: Timestamp(iso8601: "2026-03-01T10:00:00Z")!,
        inputDataConfig: .init(s3Uri: "s3://eu-in/input/"), outputDataConfig: .init(s3Uri: "s3://eu-out/output/"))

    /// The Authorization header of a SigV4-signed request by `account` (as its access key id) in `region`.
    static func signed(_ account: String, _ region: String) -> [(name: String, value: String)] {
        [("authorization", "AWS4-HMAC-SHA256 Credential=\(account)/20260301/\(region)/bedrock/aws4_request, SignedHeaders=host, Signature=x")]
    }

    static func service() -> MockBedrockService {
        MockBedrockService(store: JobStore([Job(record: completed), Job(record: eu)]))
    }
}

/// Where a test sends its requests: straight to the service, or over a socket to a live server on
/// port 0. The same test body runs against both.
enum Transport: String, CaseIterable, CustomStringConvertible {
    case direct, live

    var description: String { rawValue }

    func send(_ requests: [HTTPRequest], to service: MockBedrockService) throws -> [HTTPResponse] {
        switch self {
        case .direct:
            return requests.map(service.respond(to:))
        case .live:
            let server = try MockBedrockServer(service: service, configuration: .init(port: 0, threads: 2))
            defer { server.stop() }
            let client = try RawHTTPClient(port: server.port)
            return try requests.map(client.send)
        }
    }

    func send(_ request: HTTPRequest, to service: MockBedrockService) throws -> HTTPResponse {
        try send([request], to: service)[0]
    }
}

/// A minimal HTTP/1.1 client over one keep-alive TCP connection to 127.0.0.1, so live tests see
/// exactly the bytes libmicrohttpd sends, and can tell whether the connection stayed open.
final class RawHTTPClient {
    private let socketDescriptor: Int32
    private var buffer: [UInt8] = []

    init(port: UInt16) throws {
        socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socketDescriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXFailure() }
    }

    deinit { close(socketDescriptor) }

    func send(_ request: HTTPRequest) throws -> HTTPResponse {
        var head = "\(request.method) \(request.path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(request.body.count)\r\n"
        for (name, value) in request.headers { head += "\(name): \(value)\r\n" }
        let bytes = Array((head + "\r\n").utf8) + request.body
        guard bytes.withUnsafeBytes({ Glibc.send(socketDescriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else {
            throw POSIXFailure()
        }
        let headerEnd = try readUntilHeaderEnd()
        let headText = String(decoding: buffer[..<headerEnd], as: UTF8.self)
        buffer.removeFirst(headerEnd + 4)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        var response = HTTPResponse(status: Int(statusLine[1])!)
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: " ")
            response.headers.append((String(line[..<colon]), value))
        }
        let length = request.method == "HEAD" ? 0 : Int(response.header("Content-Length") ?? "0")!
        while buffer.count < length { try receive() }
        response.body = Array(buffer[..<length])
        buffer.removeFirst(length)
        return response
    }

    /// True if the server has closed the connection (a read returns end of file).
    func isClosedByServer() -> Bool {
        var byte: UInt8 = 0
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(socketDescriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return recv(socketDescriptor, &byte, 1, 0) == 0
    }

    private func readUntilHeaderEnd() throws -> Int {
        while true {
            if let end = find([13, 10, 13, 10]) { return end }
            try receive()
        }
    }

    private func receive() throws {
        var chunk = [UInt8](repeating: 0, count: 16_384)
        let count = chunk.withUnsafeMutableBytes { recv(socketDescriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { throw POSIXFailure() }
        buffer.append(contentsOf: chunk[..<count])
    }

    private func find(_ pattern: [UInt8]) -> Int? {
        guard buffer.count >= pattern.count else { return nil }
        for start in 0...(buffer.count - pattern.count) where buffer[start..<start + pattern.count].elementsEqual(pattern) {
            return start
        }
        return nil
    }
}

struct POSIXFailure: Error {
    let code = errno
}

extension String {
    func components(separatedBy separator: String) -> [String] {
        var parts: [String] = []
        var rest = Substring(self)
        while let range = rest.firstRange(of: separator) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        String(drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}
