import CCurl

/// What one transfer has received, between libcurl's calls of the write callback. A success
/// answer goes to `onChunk` when there is one (S3's GetObject, streamed); anything else is gathered
/// up to `limit` bytes, so that a hostile or broken server cannot grow the client's memory.
final class CurlTransfer {
    private let handle: UnsafeMutableRawPointer
    private let limit: Int
    private let onChunk: ((UnsafeRawBufferPointer) -> Bool)?
    private let stopWhen: (() -> Bool)?
    private var streaming: Bool?
    private(set) var body: [UInt8] = []
    /// Why the write callback stopped the transfer: Stopped (`onChunk` said so), or TooLarge.
    private(set) var failure: HTTPError?

    init(handle: UnsafeMutableRawPointer, limit: Int, onChunk: ((UnsafeRawBufferPointer) -> Bool)?, stopWhen: (() -> Bool)? = nil) {
        self.handle = handle
        self.limit = limit
        self.onChunk = onChunk
        self.stopWhen = stopWhen
    }

    /// Whether the caller wants the transfer ended now (asked by libcurl's progress callback).
    func shouldStop() -> Bool {
        guard let stopWhen, stopWhen() else { return false }
        failure = HTTPError(.stopped, "the caller stopped the transfer")
        return true
    }

    /// Takes one piece of the body; false stops the transfer (libcurl then fails it with CURLE_WRITE_ERROR).
    func receive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if streaming == nil {
            // The status line has been read before the first byte of the body arrives.
            var status = 0
            _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
            streaming = onChunk != nil && (200..<300).contains(status)
        }
        if streaming == true, let onChunk {
            if onChunk(bytes) { return true }
            failure = HTTPError(.stopped, "the receiver of the body stopped the transfer")
            return false
        }
        guard body.count + bytes.count <= limit else {
            failure = HTTPError(.tooLarge, "an answer body over \(limit) bytes")
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }
}

/// libcurl's write callback. It captures nothing: the transfer arrives as the context pointer
/// (CURLOPT_WRITEDATA), unretained, since it outlives the call of `curl_easy_perform`.
let receiveBody: curl_write_callback = { data, size, count, context in
    guard let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let bytes = UnsafeRawBufferPointer(start: data, count: size * count)
    return transfer.receive(bytes) ? size * count : 0
}

/// libcurl's progress callback, when the caller can stop a transfer: like `receiveBody`, it captures
/// nothing and finds the transfer in its context pointer (CURLOPT_XFERINFODATA).
let checkProgress: curl_xferinfo_callback = { context, _, _, _, _ in
    guard let context else { return 0 }
    return Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue().shouldStop() ? 1 : 0
}
