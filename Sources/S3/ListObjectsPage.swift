/// One page of a ListObjectsV2 answer (`<ListBucketResult>`): the objects, and where the next
/// page starts.
struct ListObjectsPage: Equatable {
    var objects: [S3Object]
    var isTruncated: Bool
    var nextContinuationToken: String?

    init(objects: [S3Object], isTruncated: Bool, nextContinuationToken: String? = nil) {
        self.objects = objects
        self.isTruncated = isTruncated
        self.nextContinuationToken = nextContinuationToken
    }

    /// The page in `document`; InvalidResponse for anything that is not a well-formed listing.
    init(document: [UInt8]) throws(S3Error) {
        let root = try XMLElement.parse(document)
        guard root.name == "ListBucketResult", root.namespace == XMLElement.s3Namespace || root.namespace == nil else {
            throw .invalidResponse("a listing whose root is <\(root.name)> in namespace \(root.namespace ?? "none")")
        }
        objects = []
        for contents in root.children(named: "Contents") {
            guard let key = contents.child("Key")?.text, let sizeText = contents.child("Size")?.text, let size = Int64(sizeText), size >= 0 else {
                throw .invalidResponse("a listed object without a key or a size")
            }
            objects.append(S3Object(key: key, size: size))
        }
        switch root.child("IsTruncated")?.text {
        case "true": isTruncated = true
        case "false", nil: isTruncated = false
        case let other?: throw .invalidResponse("IsTruncated \(other)")
        }
        nextContinuationToken = root.child("NextContinuationToken")?.text
    }
}
