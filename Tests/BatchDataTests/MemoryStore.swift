import BatchData
import Fixtures
import Sync

/// An object store in memory, for the readers' and writers' tests without a socket or a disk.
final class MemoryStore: ObjectStore, @unchecked Sendable {
    // Tests use one store from one thread; the lock keeps the type honest anyway.
    let objects = Locked<[String: [UInt8]]>([:])
    let buckets: Set<String>
    var name: String { "memory" }
    /// Chunk size for reads, small to cross line boundaries.
    let chunk: Int

    init(buckets: Set<String> = ["in-bucket", "out-bucket"], chunk: Int = 7) {
        self.buckets = buckets
        self.chunk = chunk
    }

    func put(_ uri: String, _ text: String) {
        objects.withLock { $0[uri] = Array(text.utf8) }
    }

    func text(_ uri: String) -> String? {
        objects.withLock { $0[uri] }.map { String(decoding: $0, as: UTF8.self) }
    }

    private func check(_ bucket: String) throws(StoreError) {
        guard buckets.contains(bucket) else { throw StoreError("NoSuchBucket", "The specified bucket does not exist") }
    }

    func list(bucket: String, prefix: String, limit: Int) throws(StoreError) -> [StoredObject] {
        try check(bucket)
        let start = "s3://\(bucket)/"
        return objects.withLock { objects in
            objects.filter { $0.key.hasPrefix(start + prefix) }.map { StoredObject(key: String($0.key.dropFirst(start.count)), size: Int64($0.value.count)) }
        }.sorted { $0.key < $1.key }
    }

    func head(bucket: String, key: String) throws(StoreError) -> StoredObject? {
        try check(bucket)
        return objects.withLock { $0["s3://\(bucket)/\(key)"] }.map { StoredObject(key: key, size: Int64($0.count)) }
    }

    func read(bucket: String, key: String, _ body: (UnsafeRawBufferPointer) throws(StoreError) -> Void) throws(StoreError) {
        try check(bucket)
        guard let bytes = objects.withLock({ $0["s3://\(bucket)/\(key)"] }) else { throw StoreError("NoSuchKey", "The specified key does not exist.") }
        var start = 0
        while start < bytes.count {
            let part = Array(bytes[start..<min(bytes.count, start + chunk)])
            let failure = part.withUnsafeBytes { raw -> StoreError? in
                do throws(StoreError) {
                    try body(raw)
                    return nil
                } catch { return error }
            }
            if let failure { throw failure }
            start += chunk
        }
    }

    func writer(bucket: String, key: String) throws(StoreError) -> any ObjectSink {
        try check(bucket)
        return MemorySink(store: self, uri: "s3://\(bucket)/\(key)")
    }
}

final class MemorySink: ObjectSink {
    let store: MemoryStore
    let uri: String
    var bytes: [UInt8] = []

    init(store: MemoryStore, uri: String) {
        self.store = store
        self.uri = uri
    }

    func append(_ more: [UInt8]) throws(StoreError) { bytes += more }
    func finish() throws(StoreError) { store.objects.withLock { [bytes, uri] in $0[uri] = bytes } }
    func abort() {}
    func discard() { store.objects.withLock { [uri] in _ = $0.removeValue(forKey: uri) } }
}
