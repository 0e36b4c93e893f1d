/// An object as a listing or a HEAD describes it.
public struct S3Object: Sendable, Equatable {
    public var key: String
    /// Bytes.
    public var size: Int64

    public init(key: String, size: Int64) {
        self.key = key
        self.size = size
    }
}
