import Signing

/// One S3 operation's request before signing: path-style (`/bucket/key`), the key percent-encoded
/// as S3 expects (every byte but the unreserved ones and `/`, in upper-case hex), which is also the
/// canonical URI S3 signs (S3 does not encode the path a second time, as other services do).
struct S3Request {
    /// S3's name of the operation (ListObjectsV2, GetObject...), for retries' reports.
    var operation: String
    var method: String
    var bucket: String
    /// nil for a request on the bucket itself.
    var key: String?
    /// Not encoded.
    var query: [(name: String, value: String)] = []
    var body: [UInt8] = []
    var contentType: String?

    /// The path, encoded.
    var path: String {
        "/" + SigV4.uriEncode(bucket) + (key.map { "/" + SigV4.uriEncode($0, keepingSlashes: true) } ?? "")
    }

    /// The query string, encoded as the canonical query encodes it; `name` alone for an empty value,
    /// as botocore writes subresources (`?uploads`).
    var queryString: String {
        query.map { $0.value.isEmpty ? SigV4.uriEncode($0.name) : "\(SigV4.uriEncode($0.name))=\(SigV4.uriEncode($0.value))" }.joined(separator: "&")
    }
}
