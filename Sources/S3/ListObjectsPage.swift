/// One page of a ListObjectsV2 answer (`<ListBucketResult>`): the objects, and where the next
/// page starts. Public for the fuzzer (Sources/MockBedrockFuzzing), which feeds it any bytes.
public struct ListObjectsPage: Equatable, Sendable {
    public var objects: [S3Object]
    public var isTruncated: Bool
    public var nextContinuationToken: String?

    /// S3's largest object, 5 TiB: a listed size above it is not S3's (and sums of sizes stay far from overflowing).
    public static let maxObjectSize: Int64 = 5 << 40

    public init(objects: [S3Object], isTruncated: Bool, nextContinuationToken: String? = nil) {
        self.objects = objects
        self.isTruncated = isTruncated
        self.nextContinuationToken = nextContinuationToken
    }

    /// The page in `document`; InvalidResponse for anything that is not a well-formed listing, or
    /// that lists an object larger than `maxObjectSize`.
    public init(document: [UInt8]) throws(S3Error) {
        let root = try XMLElement.parse(document)
        guard root.name == "ListBucketResult", root.namespace == XMLElement.s3Namespace || root.namespace == nil else {
            throw .invalidResponse("a listing whose root is <\(root.name)> in namespace \(root.namespace ?? "none")")
        }
        objects = []
        for contents in root.children(named: "Contents") {
            guard let key = contents.child("Key")?.text, let sizeText = contents.child("Size")?.text, let size = Int64(sizeText), size >= 0 else {
                throw .invalidResponse("a listed object without a key or a size")
            }
            guard size <= Self.maxObjectSize else {
                throw .invalidResponse("the listed object \(key.prefix(1_024)) has a size of \(size) bytes, over S3's most (\(Self.maxObjectSize))")
            }
            objects.append(S3Object(key: key, size: size))
        }
        switch root.child("IsTruncated")?.text {
        case "true": isTruncated = true
        case "false", nil: isTruncated = false
        case let other?: throw .invalidResponse("IsTruncated \(other.prefix(64))")
        }
        nextContinuationToken = root.child("NextContinuationToken")?.text
    }
}
