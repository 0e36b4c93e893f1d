/// Writes one object from bytes appended in pieces, holding at most one part in memory: a
/// single PutObject at `finish()` when everything fits in one part, else a multipart upload
/// started when the first part is full. A failure aborts the multipart upload (S3 would keep
/// the parts), and the writer then refuses further calls with the same error.
///
/// One writer is used by one thread at a time. Dropped without `finish()` or `abort()`, it
/// aborts a multipart upload it started.
public final class S3ObjectWriter {
    private enum State {
        case open, finished, aborted
        case failed(S3Error)
    }

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
    public func append(_ bytes: [UInt8]) throws(S3Error) {
        try checkOpen()
        var offset = 0
        while offset < bytes.count {
            if buffer.count == partSize { try uploadBufferedPart() }
            let count = min(partSize - buffer.count, bytes.count - offset)
            buffer.append(contentsOf: bytes[offset..<offset + count])
            offset += count
        }
    }

    /// Uploads what is left and makes the object visible.
    public func finish() throws(S3Error) {
        try checkOpen()
        if let uploadId {
            if !buffer.isEmpty { try uploadBufferedPart() }
            try failing { () throws(S3Error) in try client.completeMultipartUpload(bucket: bucket, key: key, uploadId: uploadId, etags: etags) }
        } else {
            try failing { () throws(S3Error) in try client.putObject(bucket: bucket, key: key, body: buffer) }
        }
        state = .finished
        buffer = []
    }

    /// Gives up the object: nothing is written, and a multipart upload begun is aborted (best effort).
    public func abort() {
        guard case .open = state else { return }
        if let uploadId { try? client.abortMultipartUpload(bucket: bucket, key: key, uploadId: uploadId) }
        state = .aborted
        buffer = []
    }

    private func uploadBufferedPart() throws(S3Error) {
        try failing { () throws(S3Error) in
            let uploadId: String
            if let started = self.uploadId {
                uploadId = started
            } else {
                uploadId = try client.createMultipartUpload(bucket: bucket, key: key)
                self.uploadId = uploadId
            }
            etags.append(try client.uploadPart(bucket: bucket, key: key, uploadId: uploadId, number: etags.count + 1, body: buffer))
            buffer.removeAll(keepingCapacity: true)
        }
    }

    /// Runs `body`; an error it throws fails the writer (aborting the upload) and is thrown again.
    private func failing(_ body: () throws(S3Error) -> Void) throws(S3Error) {
        do {
            try body()
        } catch {
            fail(error)
            throw error
        }
    }

    private func fail(_ error: S3Error) {
        if let uploadId { try? client.abortMultipartUpload(bucket: bucket, key: key, uploadId: uploadId) }
        state = .failed(error)
        buffer = []
    }

    private func checkOpen() throws(S3Error) {
        switch state {
        case .open: return
        case .failed(let error): throw error
        case .finished, .aborted: throw S3Error(code: "WriterClosed", message: "s3://\(bucket)/\(key): the writer was finished or aborted")
        }
    }
}
