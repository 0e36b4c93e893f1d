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
    /// True for the mock's own signals (a read stopped on purpose, the output budget, an input that
    /// changed): a store's answer can carry any code, so these are told apart by this, never by the
    /// code alone (an S3 endpoint answering `<Code>Stop</Code>` is an error like any other).
    public private(set) var isSignal = false

    public init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    /// One of the mock's own signals (`isSignal`).
    static func signal(_ code: String, _ message: String = "") -> StoreError {
        var error = StoreError(code, message)
        error.isSignal = true
        return error
    }

    /// Whether this is the signal `other` (its code, and raised by the mock).
    func isSignal(_ other: StoreError) -> Bool { isSignal && code == other.code }

    public var description: String { "\(code): \(message)" }

    /// The code of a call given up because its work was cancelled (`ObjectStore.stopping(when:)`).
    public static let cancelledCode = "Cancelled"
    public static let cancelled = StoreError.signal(cancelledCode, "the data work was cancelled")
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
    /// The store as one piece of data work uses it: once `isCancelled` answers true (a reset came, or
    /// the work passed its time limit), every later call fails at once with `StoreError.cancelled`,
    /// and a call under way gives up as soon as it can (between chunks; an S3 endpoint's request
    /// within about a second, through libcurl's progress callback).
    func stopping(when isCancelled: @escaping @Sendable () -> Bool) -> any ObjectStore
}

/// An object being written: appended to, then finished (it appears) or aborted (it does not).
public protocol ObjectSink: AnyObject {
    func append(_ bytes: [UInt8]) throws(StoreError)
    func finish() throws(StoreError)
    func abort()
    /// Undoes the write, finished or not: the object is removed again (a job whose later results fail
    /// leaves none of its results), and so are the folders the write made, if they are empty.
    /// Best effort, never throws; not stopped by a cancellation (it is what a cancelled write does last).
    func discard()
}

extension ObjectStore {
    public func forRegion(_ region: String) -> any ObjectStore { self }

    public func stopping(when isCancelled: @escaping @Sendable () -> Bool) -> any ObjectStore {
        StoppingStore(base: self, isCancelled: isCancelled)
    }

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

/// A store whose calls give up once `isCancelled` says so: checked before each call and between
/// the chunks of a read (a store whose calls can block long, such as an S3 endpoint's, also stops
/// the call under way: `S3ObjectStore.stopping(when:)`).
struct StoppingStore: ObjectStore {
    let base: any ObjectStore
    let isCancelled: @Sendable () -> Bool

    var name: String { base.name }

    private func check() throws(StoreError) {
        if isCancelled() { throw StoreError.cancelled }
    }

    func list(bucket: String, prefix: String, limit: Int) throws(StoreError) -> [StoredObject] {
        try check()
        return try base.list(bucket: bucket, prefix: prefix, limit: limit)
    }

    func head(bucket: String, key: String) throws(StoreError) -> StoredObject? {
        try check()
        return try base.head(bucket: bucket, key: key)
    }

    func read(bucket: String, key: String, _ chunk: (UnsafeRawBufferPointer) throws(StoreError) -> Void) throws(StoreError) {
        try check()
        try base.read(bucket: bucket, key: key) { (bytes: UnsafeRawBufferPointer) throws(StoreError) in
            try check()
            try chunk(bytes)
        }
    }

    func writer(bucket: String, key: String) throws(StoreError) -> any ObjectSink {
        try check()
        return StoppingSink(base: try base.writer(bucket: bucket, key: key), isCancelled: isCancelled)
    }

    func forRegion(_ region: String) -> any ObjectStore { StoppingStore(base: base.forRegion(region), isCancelled: isCancelled) }
}

/// An object being written for cancellable work: a cancelled write never finishes (it is aborted).
final class StoppingSink: ObjectSink {
    let base: any ObjectSink
    let isCancelled: @Sendable () -> Bool

    init(base: any ObjectSink, isCancelled: @escaping @Sendable () -> Bool) {
        self.base = base
        self.isCancelled = isCancelled
    }

    func append(_ bytes: [UInt8]) throws(StoreError) {
        if isCancelled() { throw StoreError.cancelled }
        try base.append(bytes)
    }

    func finish() throws(StoreError) {
        if isCancelled() { throw StoreError.cancelled }
        try base.finish()
    }

    func abort() { base.abort() }

    func discard() { base.discard() }
}
