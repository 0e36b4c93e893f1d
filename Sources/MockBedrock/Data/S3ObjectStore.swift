import BatchData
import Fixtures
import S3
import Sync

/// `--s3-endpoint`: the data plane's store on an S3-compatible server, through the `S3` client
/// (libcurl and libxml2). A client is made per region on first use (SigV4 signs for a region),
/// unless `--s3-region` fixes one. Each request is tried up to 3 times (`S3Configuration`'s
/// retries); `onRetry` hears of every retry.
public final class S3ObjectStore: ObjectStore {
    let base: S3Configuration
    let fixedRegion: String?
    /// The clients by region, shared by every regional and stopping view of the store (`forRegion`,
    /// `stopping(when:)`), so that one region's client (and its pool of connections) serves all of
    /// that region's jobs.
    private let clients: Locked<[String: S3Client]>
    private let region: String
    /// The data work's cancellation, in a view made by `stopping(when:)`: asked before each call and
    /// by the client during one (a transfer under way stops within about a second).
    private let isCancelled: (@Sendable () -> Bool)?

    public var name: String { "s3-endpoint \(base.endpoint)" }

    /// What every client of the store calls before each wait for a retry (the operation, bucket,
    /// key, the attempt that failed and why), on the thread of the data work.
    public var onRetry: (@Sendable (S3Retry) -> Void)? { base.onRetry }

    /// Checks the endpoint (a client is made for it) before any job needs it.
    public init(
        endpoint: String, accessKeyId: String, secretAccessKey: String, sessionToken: String?, region: String?,
        onRetry: (@Sendable (S3Retry) -> Void)? = nil
    ) throws(StoreError) {
        base = S3Configuration(
            endpoint: endpoint, region: region ?? "us-east-1", accessKeyId: accessKeyId, secretAccessKey: secretAccessKey, sessionToken: sessionToken,
            onRetry: onRetry)
        fixedRegion = region
        self.region = region ?? "us-east-1"
        clients = Locked([:])
        isCancelled = nil
        _ = try client()
    }

    private init(sharing other: S3ObjectStore, region: String, isCancelled: (@Sendable () -> Bool)?) {
        base = other.base
        fixedRegion = other.fixedRegion
        clients = other.clients
        self.region = region
        self.isCancelled = isCancelled
    }

    public func forRegion(_ region: String) -> any ObjectStore {
        fixedRegion == nil ? S3ObjectStore(sharing: self, region: region, isCancelled: isCancelled) : self
    }

    /// The store for one piece of data work: every call fails with `StoreError.cancelled` once
    /// `isCancelled` answers true, before it starts, between its retries and, under way, within about
    /// a second (the client gives the condition to libcurl's progress callback); a write that is
    /// cancelled aborts its multipart upload with at most 2 s more.
    public func stopping(when isCancelled: @escaping @Sendable () -> Bool) -> any ObjectStore {
        let condition: @Sendable () -> Bool
        if let outer = self.isCancelled { condition = { outer() || isCancelled() } } else { condition = isCancelled }
        return S3ObjectStore(sharing: self, region: region, isCancelled: condition)
    }

    private func client() throws(StoreError) -> S3Client {
        if let made = clients.withLock({ $0[region] }) { return made }
        var configuration = base
        configuration.region = region
        do throws(S3Error) {
            let made = try S3Client(configuration)
            clients.withLock { $0[region] = made }
            return made
        } catch {
            throw Self.storeError(error)
        }
    }

    /// The client, once the work is known not to be cancelled.
    private func readyClient() throws(StoreError) -> S3Client {
        if isCancelled?() == true { throw StoreError.cancelled }
        return try client()
    }

    /// The HTTP method of an S3 operation, for the journal.
    static func method(of operation: String) -> String {
        switch operation {
        case "HeadObject": "HEAD"
        case "PutObject", "UploadPart", "CreateBucket": "PUT"
        case "CreateMultipartUpload", "CompleteMultipartUpload": "POST"
        case "DeleteObject", "AbortMultipartUpload": "DELETE"
        default: "GET"
        }
    }

    static func storeError(_ error: S3Error) -> StoreError {
        error.code == S3Error.cancelledCode ? StoreError.cancelled : StoreError(error.code, error.message)
    }

    public func list(bucket: String, prefix: String, limit: Int) throws(StoreError) -> [StoredObject] {
        let client = try readyClient()
        do throws(S3Error) {
            // Keys the mock refuses in a job's URI (`..`, `//`, control characters) are not there for it
            // either, as with --s3-dir: an output name is never made from one.
            return try client.listObjects(bucket: bucket, prefix: prefix, maxKeys: limit, stopWhen: isCancelled).filter { S3Location.keyProblem($0.key) == nil }
                .map { StoredObject(key: $0.key, size: $0.size) }
        } catch {
            throw Self.storeError(error)
        }
    }

    public func head(bucket: String, key: String) throws(StoreError) -> StoredObject? {
        let client = try readyClient()
        do throws(S3Error) {
            return try client.headObject(bucket: bucket, key: key, stopWhen: isCancelled).map { StoredObject(key: $0.key, size: $0.size) }
        } catch {
            throw Self.storeError(error)
        }
    }

    public func read(bucket: String, key: String, _ chunk: (UnsafeRawBufferPointer) throws(StoreError) -> Void) throws(StoreError) {
        var failure: StoreError?
        let client = try readyClient()
        let isCancelled = isCancelled
        do throws(S3Error) {
            try client.getObject(bucket: bucket, key: key, stopWhen: isCancelled) { (bytes: UnsafeRawBufferPointer) throws(S3Error) in
                do throws(StoreError) {
                    if isCancelled?() == true { throw StoreError.cancelled }
                    try chunk(bytes)
                } catch {
                    failure = error
                    throw S3Error(code: "Stopped", message: error.message, httpStatus: nil)
                }
            }
        } catch {
            throw failure ?? Self.storeError(error)
        }
    }

    public func writer(bucket: String, key: String) throws(StoreError) -> any ObjectSink {
        S3Sink(try readyClient().objectWriter(bucket: bucket, key: key), isCancelled: isCancelled)
    }
}

/// An S3 object being written: the client's writer (one PutObject, or a multipart upload past 8 MiB).
final class S3Sink: ObjectSink {
    let writer: S3ObjectWriter
    let isCancelled: (@Sendable () -> Bool)?

    init(_ writer: S3ObjectWriter, isCancelled: (@Sendable () -> Bool)? = nil) {
        self.writer = writer
        self.isCancelled = isCancelled
    }

    func append(_ bytes: [UInt8]) throws(StoreError) {
        if isCancelled?() == true { throw StoreError.cancelled }
        do throws(S3Error) { try writer.append(bytes, stopWhen: isCancelled) } catch { throw S3ObjectStore.storeError(error) }
    }

    func finish() throws(StoreError) {
        if isCancelled?() == true { throw StoreError.cancelled }
        do throws(S3Error) { try writer.finish(stopWhen: isCancelled) } catch { throw S3ObjectStore.storeError(error) }
    }

    func abort() { writer.abort(stopWhen: isCancelled) }

    func discard() { writer.discard(stopWhen: isCancelled) }
}
