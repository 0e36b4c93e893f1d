import Sync

/// Writes one object from bytes appended in pieces, holding at most one part in memory: a
/// single PutObject at `finish()` when everything fits in one part, else a multipart upload
/// started when the first part is full. A failure aborts the multipart upload (S3 would keep
/// the parts), and the writer then refuses further calls with the same error.
///
/// Each call takes the caller's `stopWhen` (Cancelled once it answers true; `S3Client` says when
/// it is asked). Each request is retried as the client's are.
///
/// One writer is used by one thread at a time. Dropped without `finish()` or `abort()`, it
/// aborts a multipart upload it started.
public final class S3ObjectWriter {
    private enum State {
        case open, finished, aborted
        case failed(S3Error)
    }

    /// How long an abort may still take once the caller has asked to stop (it cleans up S3's parts,
    /// so it is tried even then, once, but not for longer than this).
    static let abortGraceMilliseconds = 2_000

    private let client: S3Client
    private let bucket: String
    private let key: String
    private let partSize: Int
    private var buffer: [UInt8] = []
    private var uploadId: String?
    private var etags: [String] = []
    private var state = State.open

    init(client: S3Client, bucket: String, key: String, partSize: Int) {
        self.client = client
        self.bucket = bucket
        self.key = key
        self.partSize = partSize
    }

    deinit {
        if case .open = state, uploadId != nil { abort() }
    }

    /// Adds `bytes` to the object, uploading each part once it is full and more bytes follow.
    public func append(_ bytes: [UInt8], stopWhen: (@Sendable () -> Bool)? = nil) throws(S3Error) {
        try checkOpen()
        var offset = 0
        while offset < bytes.count {
            if buffer.count == partSize { try uploadBufferedPart(stopWhen: stopWhen) }
            let count = min(partSize - buffer.count, bytes.count - offset)
            buffer.append(contentsOf: bytes[offset..<offset + count])
            offset += count
        }
    }

    /// Uploads what is left and makes the object visible.
    public func finish(stopWhen: (@Sendable () -> Bool)? = nil) throws(S3Error) {
        try checkOpen()
        if let uploadId {
            if !buffer.isEmpty { try uploadBufferedPart(stopWhen: stopWhen) }
            try failing(stopWhen) { () throws(S3Error) in
                try client.completeMultipartUpload(bucket: bucket, key: key, uploadId: uploadId, etags: etags, stopWhen: stopWhen)
            }
        } else {
            try failing(stopWhen) { () throws(S3Error) in try client.putObject(bucket: bucket, key: key, body: buffer, stopWhen: stopWhen) }
        }
        state = .finished
        buffer = []
    }

    /// Gives up the object: nothing is written, and a multipart upload begun is aborted (best
    /// effort, one request). With `stopWhen` answering true, that request gets at most
    /// `abortGraceMilliseconds` (2 s) more.
    public func abort(stopWhen: (@Sendable () -> Bool)? = nil) {
        guard case .open = state else { return }
        abortUpload(stopWhen)
        state = .aborted
        buffer = []
    }

    /// Undoes the write: a finished object is deleted again (one DeleteObject, retried as any
    /// request; with `stopWhen` answering true, given `abortGraceMilliseconds` more), an open one is
    /// aborted. Best effort: a delete that fails leaves the object.
    public func discard(stopWhen: (@Sendable () -> Bool)? = nil) {
        switch state {
        case .finished:
            state = .aborted
            try? client.deleteObject(bucket: bucket, key: key, stopWhen: Self.withGrace(stopWhen))
        case .open: abort(stopWhen: stopWhen)
        case .aborted, .failed: break
        }
    }

    /// `stopWhen`, answering true only `abortGraceMilliseconds` after now: clean-up is tried even
    /// for cancelled work, but not for long.
    private static func withGrace(_ stopWhen: (@Sendable () -> Bool)?) -> (@Sendable () -> Bool)? {
        let graceEnd = Monotonic.deadline(in: abortGraceMilliseconds)
        return stopWhen.map { stopWhen in { @Sendable in stopWhen() && Monotonic.now() >= graceEnd } }
    }

    private func uploadBufferedPart(stopWhen: (@Sendable () -> Bool)?) throws(S3Error) {
        try failing(stopWhen) { () throws(S3Error) in
            let uploadId: String
            if let started = self.uploadId {
                uploadId = started
            } else {
                uploadId = try client.createMultipartUpload(bucket: bucket, key: key, stopWhen: stopWhen)
                self.uploadId = uploadId
            }
            etags.append(try client.uploadPart(bucket: bucket, key: key, uploadId: uploadId, number: etags.count + 1, body: buffer, stopWhen: stopWhen))
            buffer.removeAll(keepingCapacity: true)
        }
    }

    /// Runs `body`; an error it throws fails the writer (aborting the upload) and is thrown again.
    private func failing(_ stopWhen: (@Sendable () -> Bool)?, _ body: () throws(S3Error) -> Void) throws(S3Error) {
        do {
            try body()
        } catch {
            abortUpload(stopWhen)
            state = .failed(error)
            buffer = []
            throw error
        }
    }

    /// The AbortMultipartUpload of an upload begun, if any: given up when `stopWhen` answers true
    /// and the grace has passed.
    private func abortUpload(_ stopWhen: (@Sendable () -> Bool)?) {
        guard let uploadId else { return }
        try? client.abortMultipartUpload(bucket: bucket, key: key, uploadId: uploadId, stopWhen: Self.withGrace(stopWhen))
    }

    private func checkOpen() throws(S3Error) {
        switch state {
        case .open: return
        case .failed(let error): throw error
        case .finished, .aborted: throw S3Error(code: "WriterClosed", message: "s3://\(bucket)/\(key): the writer was finished or aborted")
        }
    }
}
