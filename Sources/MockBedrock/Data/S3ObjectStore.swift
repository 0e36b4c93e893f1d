import BatchData
import Fixtures
import S3
import Sync

/// `--s3-endpoint`: the data plane's store on an S3-compatible server, through the `S3` client
/// (libcurl and libxml2). A client is made per region on first use (SigV4 signs for a region),
/// unless `--s3-region` fixes one.
public final class S3ObjectStore: ObjectStore {
    let base: S3Configuration
    let fixedRegion: String?
    /// The clients by region, shared by every regional view of the store (`forRegion`), so that one
    /// region's client (and its pool of connections) serves all of that region's jobs.
    private let clients: Locked<[String: S3Client]>
    private let region: String

    public var name: String { "s3-endpoint \(base.endpoint)" }

    /// Checks the endpoint (a client is made for it) before any job needs it.
    public init(endpoint: String, accessKeyId: String, secretAccessKey: String, sessionToken: String?, region: String?) throws(StoreError) {
        base = S3Configuration(
            endpoint: endpoint, region: region ?? "us-east-1", accessKeyId: accessKeyId, secretAccessKey: secretAccessKey, sessionToken: sessionToken)
        fixedRegion = region
        self.region = region ?? "us-east-1"
        clients = Locked([:])
        _ = try client()
    }

    private init(sharing other: S3ObjectStore, region: String) {
        base = other.base
        fixedRegion = other.fixedRegion
        clients = other.clients
        self.region = region
    }

    public func forRegion(_ region: String) -> any ObjectStore {
        fixedRegion == nil ? S3ObjectStore(sharing: self, region: region) : self
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

    static func storeError(_ error: S3Error) -> StoreError {
        StoreError(error.code, error.message)
    }

    public func list(bucket: String, prefix: String, limit: Int) throws(StoreError) -> [StoredObject] {
        let client = try client()
        do throws(S3Error) {
            // Keys the mock refuses in a job's URI (`..`, `//`, control characters) are not there for it
            // either, as with --s3-dir: an output name is never made from one.
            return try client.listObjects(bucket: bucket, prefix: prefix, maxKeys: limit).filter { S3Location.keyProblem($0.key) == nil }
                .map { StoredObject(key: $0.key, size: $0.size) }
        } catch {
            throw Self.storeError(error)
        }
    }

    public func head(bucket: String, key: String) throws(StoreError) -> StoredObject? {
        let client = try client()
        do throws(S3Error) {
            return try client.headObject(bucket: bucket, key: key).map { StoredObject(key: $0.key, size: $0.size) }
        } catch {
            throw Self.storeError(error)
        }
    }

    public func read(bucket: String, key: String, _ chunk: (UnsafeRawBufferPointer) throws(StoreError) -> Void) throws(StoreError) {
        var failure: StoreError?
        let client = try client()
        do throws(S3Error) {
            try client.getObject(bucket: bucket, key: key) { (bytes: UnsafeRawBufferPointer) throws(S3Error) in
                do throws(StoreError) {
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
        S3Sink(try client().objectWriter(bucket: bucket, key: key))
    }
}

/// An S3 object being written: the client's writer (one PutObject, or a multipart upload past 8 MiB).
final class S3Sink: ObjectSink {
    let writer: S3ObjectWriter

    init(_ writer: S3ObjectWriter) {
        self.writer = writer
    }

    func append(_ bytes: [UInt8]) throws(StoreError) {
        do throws(S3Error) { try writer.append(bytes) } catch { throw S3ObjectStore.storeError(error) }
    }

    func finish() throws(StoreError) {
        do throws(S3Error) { try writer.finish() } catch { throw S3ObjectStore.storeError(error) }
    }

    func abort() { writer.abort() }

    func discard() { writer.abort() }
}
