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

    /// The first header field named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        // Names here are almost always written in lower case already: skip the copy then.
        let lower = name.utf8.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") } ? name.lowercased() : name
        return headers.first { $0.name == lower }?.value
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
