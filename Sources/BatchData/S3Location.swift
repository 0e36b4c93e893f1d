/// An `s3://bucket/key` address from a job's input or output config, checked the way S3 checks
/// bucket names and the way the mock needs keys: a key the directory store could turn into a path
/// outside its root (`..` segments, NUL bytes) is refused for every store alike, so a job behaves
/// the same on `--s3-dir` and on an S3 endpoint.
public struct S3Location: Sendable, Equatable, CustomStringConvertible {
    public var bucket: String
    /// The key or prefix after the bucket, without the leading `/`; may be empty.
    public var key: String

    public init(bucket: String, key: String) {
        self.bucket = bucket
        self.key = key
    }

    public var description: String { "s3://\(bucket)/\(key)" }

    /// Reads `s3://bucket[/key]`, or says what is wrong with it in a sentence for the job's message.
    public static func parse(_ uri: String) -> Result<S3Location, DataProblem> {
        guard uri.hasPrefix("s3://") else { return .failure(DataProblem("\(uri) is not an s3:// URI.")) }
        let rest = uri.dropFirst(5)
        let slash = rest.firstIndex(of: "/")
        let bucket = String(slash.map { rest[..<$0] } ?? rest)
        let key = slash.map { String(rest[rest.index(after: $0)...]) } ?? ""
        if let problem = bucketProblem(bucket) { return .failure(DataProblem("The bucket name in \(uri) is not valid: \(problem).")) }
        if let problem = keyProblem(key) { return .failure(DataProblem("The key in \(uri) is not valid: \(problem).")) }
        return .success(S3Location(bucket: bucket, key: key))
    }

    /// What breaks S3's rules for general purpose bucket names, or nil: 3 to 63 characters of
    /// a-z, 0-9, `.` and `-`, starting and ending with a letter or digit, no `..`, not an IPv4
    /// address, none of the reserved prefixes and suffixes.
    public static func bucketProblem(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        guard (3...63).contains(bytes.count) else { return "it must be 3 to 63 characters long" }
        func isAlphanumeric(_ byte: UInt8) -> Bool { (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) }
        for byte in bytes where !(isAlphanumeric(byte) || byte == 0x2E || byte == 0x2D) {
            return "it may only hold lower-case letters, digits, '.' and '-'"
        }
        guard let first = bytes.first, let last = bytes.last, isAlphanumeric(first), isAlphanumeric(last) else {
            return "it must begin and end with a letter or digit"
        }
        if name.contains("..") { return "it must not hold two adjacent periods" }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 4, parts.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isNumber) }) {
            return "it must not be formatted as an IP address"
        }
        for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] where name.hasPrefix(prefix) { return "it must not begin with \(prefix)" }
        for suffix in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] where name.hasSuffix(suffix) { return "it must not end with \(suffix)" }
        return nil
    }

    /// What makes a key unusable, or nil. S3 allows any UTF-8 up to 1024 bytes; the mock also
    /// refuses NUL and other control bytes, `.` and `..` segments and empty segments, which a
    /// file system would read as something else than the key.
    public static func keyProblem(_ key: String) -> String? {
        guard key.utf8.count <= 1024 else { return "a key is at most 1024 bytes" }
        if key.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) { return "it holds a NUL or another control character" }
        if key.hasPrefix("/") { return "it must not begin with '/'" }
        let segments = key.split(separator: "/", omittingEmptySubsequences: false)
        for (index, segment) in segments.enumerated() {
            if segment == "." || segment == ".." { return "it must not hold '.' or '..' segments" }
            if segment.isEmpty, index != segments.count - 1 { return "it must not hold empty segments ('//')" }
        }
        return nil
    }

    /// The last segment of the key (the object's file name).
    public var fileName: String {
        String(key.split(separator: "/", omittingEmptySubsequences: false).last ?? "")
    }

    /// This location as a prefix: the key with one trailing `/` (none for the bucket's root).
    public var asFolder: S3Location {
        S3Location(bucket: bucket, key: key.isEmpty || key.hasSuffix("/") ? key : key + "/")
    }

    /// A location under this one, as a folder: `s3://b/out` + `id/x` is `s3://b/out/id/x`.
    public func appending(_ path: String) -> S3Location {
        S3Location(bucket: bucket, key: asFolder.key + path)
    }
}

/// A reason a job's data cannot be used, in a sentence for the job's `message`.
public struct DataProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
