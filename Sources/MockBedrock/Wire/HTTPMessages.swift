import JSON

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A request as the service sees it: the raw (still percent-encoded) path, decoded query
/// items, headers with lower-case names, and the body.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The path as it arrived, without the query, still percent-encoded.
    public var path: String
    /// Query items, percent-decoded, in arrival order.
    public var query: [(name: String, value: String)]
    /// Header fields with lower-case names, in arrival order.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(
        method: String = "GET", path: String = "/", query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [], body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The header fields the service reads: the HTTP server hands over only these (building
    /// strings for every other field costs more than the rest of a Get). Lower case; an entry
    /// ending in `-` is a prefix.
    public static let readHeaders = ["authorization", "x-amz-date", "amz-sdk-request", "amz-sdk-invocation-id", "x-mock-"]

    /// Whether the service reads a header field of this (lower-case) name.
    static func isRead(_ lowercasedName: UnsafeBufferPointer<UInt8>) -> Bool {
        // Most fields are not read: their first byte settles it without comparing names.
        guard let first = lowercasedName.first, readFirstBytes.contains(first) else { return false }
        return readHeaderBytes.contains { name, isPrefix in
            isPrefix ? lowercasedName.starts(with: name) : lowercasedName.elementsEqual(name)
        }
    }

    private static let readHeaderBytes = readHeaders.map { (Array($0.utf8), $0.hasSuffix("-")) }
    private static let readFirstBytes = Set(readHeaders.compactMap(\.utf8.first))

    /// The first header field named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        assert(
            {
                var lower = ASCII.lowercased(name); return lower.withUTF8(Self.isRead)
            }(), "add \(name) to HTTPRequest.readHeaders, or the HTTP server drops it")
        return headers.first { ASCII.equalsIgnoringCase(lowercased: $0.name, name) }?.value
    }

    /// Whether any header field name starts with `prefix` (lower case).
    func hasHeader(prefix: String) -> Bool {
        headers.contains { $0.name.utf8.starts(with: prefix.utf8) }
    }

    /// The first query item named `name`.
    public func queryItem(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }
}

/// A response: status, headers and body. `Content-Length` is the HTTP layer's job.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int = 200, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response with the content type AWS sends.
    public static func json(_ body: [UInt8], status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: body)
    }

    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }
}

/// ASCII case folding, as the HTTP server applies it to header field names.
public enum ASCII {
    /// `text` with ASCII letters in lower case (other characters as they are).
    public static func lowercased(_ text: String) -> String {
        String(decoding: text.utf8.map(lower), as: UTF8.self)
    }

    /// Whether `lowercased` (already lower case) equals `other` ignoring ASCII case.
    static func equalsIgnoringCase(lowercased: String, _ other: String) -> Bool {
        guard lowercased.utf8.count == other.utf8.count else { return false }
        return zip(lowercased.utf8, other.utf8).allSatisfy { $0 == lower($1) }
    }

    @inline(__always)
    static func lower(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }
}

/// Why a body is not a JSON object.
enum BodyProblem: Error {
    case notJSON(JSONSyntaxError)
    case notAnObject(kind: String)
}

extension HTTPRequest {
    /// The one body reader: the members of the body's JSON object (an empty body is `{}`), or why it
    /// is not one. Operations, the admin API and the fault rules' look at a tagging request read it so.
    func bodyObject() throws(BodyProblem) -> [JSONMember] {
        let document: JSONValue
        do {
            document = try JSONParser.parse(body.isEmpty ? Array("{}".utf8) : body)
        } catch {
            throw .notJSON(error)
        }
        guard case .object(let members) = document else { throw .notAnObject(kind: document.kindDescription) }
        return members
    }
}
