/// An object as a listing shows it.
public struct StoredObject: Sendable, Equatable {
    public var key: String
    public var size: Int64

    public init(key: String, size: Int64) {
        self.key = key
        self.size = size
    }
}

/// Why a store could not do what was asked: S3's error code (`NoSuchKey`, `NoSuchBucket`,
/// `AccessDenied`, ...) or the transport's (`ConnectionFailed`, `Timeout`), and a message.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: String
    public var message: String

    public init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}

/// Where batch inputs are read and outputs written: a directory standing for S3 (`--s3-dir`) or
/// an S3-compatible server (`--s3-endpoint`). Calls are synchronous and may come from several
/// threads at once; each is bounded in time by the store (timeouts) or by the local disk.
public protocol ObjectStore: Sendable {
    /// How the access log and messages name the store, e.g. `s3-dir /tmp/s3`.
    var name: String { get }
    /// The objects whose keys begin with `prefix`, in key order; at most `limit` (past it, an error).
    func list(bucket: String, prefix: String, limit: Int) throws(StoreError) -> [StoredObject]
    /// The object `key` names, or nil when there is none.
    func head(bucket: String, key: String) throws(StoreError) -> StoredObject?
    /// Reads the object in chunks, in order; `chunk` may throw to stop.
    func read(bucket: String, key: String, _ chunk: (UnsafeRawBufferPointer) throws(StoreError) -> Void) throws(StoreError)
    /// A new object written in parts; it exists (whole) only after `finish()`.
    func writer(bucket: String, key: String) throws(StoreError) -> any ObjectSink
    /// The store as a job of `region` uses it (an S3 endpoint signs for the job's region).
    func forRegion(_ region: String) -> any ObjectStore
}

/// An object being written: appended to, then finished (it appears) or aborted (it does not).
public protocol ObjectSink: AnyObject {
    func append(_ bytes: [UInt8]) throws(StoreError)
    func finish() throws(StoreError)
    func abort()
}

extension ObjectStore {
    public func forRegion(_ region: String) -> any ObjectStore { self }

    /// Writes a whole object at once.
    public func put(bucket: String, key: String, _ bytes: [UInt8]) throws(StoreError) {
        let sink = try writer(bucket: bucket, key: key)
        do throws(StoreError) {
            try sink.append(bytes)
            try sink.finish()
        } catch {
            sink.abort()
            throw error
        }
    }
}
