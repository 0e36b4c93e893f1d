import HTTPClient
import Signing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A client of S3 (or a store speaking its API: MinIO, moto) for the mock's data plane: list a
/// prefix, read objects as streams, write them whole or in parts. Calls are synchronous and
/// bounded by the configuration's timeouts and attempts (retries as AWS's SDKs make them, with a
/// backoff); they belong on a worker thread, never a request thread.
///
/// Thread-safe: concurrent calls each take their own libcurl easy handle from a locked pool.
/// HTTP is libcurl's (TLS, proxies from the environment, connection reuse), XML is libxml2's,
/// requests are signed with SigV4 (service `s3`, the payload's real SHA-256).
public final class S3Client: Sendable {
    public let configuration: S3Configuration
    let endpoint: S3Endpoint
    let signer: SigV4Signer
    private let handles = CurlHandlePool()

    /// The largest body gathered in memory: a listing page or an error, never an object.
    static let maxGatheredBytes = XMLElement.maxDocumentBytes

    public init(_ configuration: S3Configuration) throws(S3Error) {
        let limits = [configuration.connectTimeoutSeconds, configuration.requestTimeoutSeconds, configuration.lowSpeedTimeSeconds]
        guard limits.allSatisfy({ $0 > 0 && $0 <= 86_400 }), configuration.lowSpeedLimitBytesPerSecond >= 0 else {
            throw S3Error(code: "InvalidConfiguration", message: "timeouts must be between 1 second and a day")
        }
        guard (1...10).contains(configuration.maxAttempts) else {
            throw S3Error(code: "InvalidConfiguration", message: "maxAttempts must be between 1 and 10, not \(configuration.maxAttempts)")
        }
        let delays = [configuration.retryBaseDelayMilliseconds, configuration.retryMaxDelayMilliseconds]
        guard delays.allSatisfy({ (0...60_000).contains($0) }) else {
            throw S3Error(code: "InvalidConfiguration", message: "retry delays must be between 0 and 60,000 milliseconds")
        }
        guard !configuration.region.isEmpty, !configuration.accessKeyId.isEmpty else {
            throw S3Error(code: "InvalidConfiguration", message: "a region and an access key id are needed")
        }
        self.configuration = configuration
        // Both libraries are loaded here, so that one that is missing stops a server at its start
        // (`--s3-endpoint` makes a client) rather than its first job.
        endpoint = try S3Endpoint(configuration.endpoint)
        try Libraries.xml()
        signer = SigV4Signer(
            accessKeyId: configuration.accessKeyId, secretAccessKey: configuration.secretAccessKey, sessionToken: configuration.sessionToken,
            region: configuration.region, service: "s3")
    }

    // Every public call takes `stopWhen`: when it answers true, the call ends with Cancelled (code
    // "Cancelled") as soon as it can: before an attempt, within a wait between attempts (asked every
    // 20 ms), and during a transfer within about a second (libcurl's progress callback asks it).

    /// Every object under `prefix`, in S3's (UTF-8 binary) order, through ListObjectsV2 pages of
    /// `pageSize` keys (1 to 1,000, S3's most). TooLarge past `maxKeys` objects, so that a huge
    /// prefix cannot exhaust memory; InvalidResponse for a listed size over 5 TiB. Each page is
    /// retried on its own.
    public func listObjects(
        bucket: String, prefix: String, maxKeys: Int = 1_000_000, pageSize: Int = 1_000, stopWhen: (@Sendable () -> Bool)? = nil
    ) throws(S3Error) -> [S3Object] {
        var objects: [S3Object] = []
        var token: String?
        var emptyPages = 0
        // Digests of the tokens seen: a server whose tokens go round in a cycle is not S3 either.
        var seenTokens = Set<[UInt8]>()
        while true {
            var query = [(name: "list-type", value: "2"), (name: "max-keys", value: String(max(1, min(pageSize, 1_000))))]
            if !prefix.isEmpty { query.append(("prefix", prefix)) }
            if let token { query.append(("continuation-token", token)) }
            let request = S3Request(operation: "ListObjectsV2", method: "GET", bucket: bucket, query: query)
            let page = try ListObjectsPage(document: send(request, stopWhen: stopWhen).body)
            // Counted before they are added, so that the list never holds more than maxKeys.
            guard page.objects.count <= maxKeys - objects.count else { throw .tooLarge("more than \(maxKeys) objects under s3://\(bucket)/\(prefix)") }
            objects += page.objects
            guard page.isTruncated else { return objects }
            // A server that pages forever (the same token, or nothing but empty pages) is not S3.
            emptyPages = page.objects.isEmpty ? emptyPages + 1 : 0
            guard let next = page.nextContinuationToken, !next.isEmpty, next != token, emptyPages < 100,
                seenTokens.insert(SHA256.hash(Array(next.utf8))).inserted
            else {
                throw .invalidResponse("a truncated listing without a new continuation token or without objects")
            }
            token = next
        }
    }

    /// The object's key and size, nil when S3 answers 404 (no such key, or no such bucket).
    /// InvalidResponse for a size over 5 TiB.
    public func headObject(bucket: String, key: String, stopWhen: (@Sendable () -> Bool)? = nil) throws(S3Error) -> S3Object? {
        let request = S3Request(operation: "HeadObject", method: "HEAD", bucket: bucket, key: key)
        return try retrying(request, stopWhen: stopWhen) { () throws(S3Error) -> S3Object? in
            let outcome = try exchange(request, stopWhen: stopWhen)
            if outcome.status == 404 { return nil }
            guard (200..<300).contains(outcome.status) else { throw S3Error(status: outcome.status, body: []) }
            guard let size = outcome.contentLength else { throw .invalidResponse("a HEAD answer without Content-Length") }
            guard size <= ListObjectsPage.maxObjectSize else {
                throw .invalidResponse("the object \(key) has a size of \(size) bytes, over S3's most (\(ListObjectsPage.maxObjectSize))")
            }
            return S3Object(key: key, size: size)
        }
    }

    /// The object's bytes, handed to `onChunk` as they arrive (never the whole object in memory).
    /// An error `onChunk` throws stops the transfer and is thrown again here. A failure is retried
    /// only while no byte has reached `onChunk` (a read is never resumed halfway).
    public func getObject(
        bucket: String, key: String, stopWhen: (@Sendable () -> Bool)? = nil, onChunk: (UnsafeRawBufferPointer) throws(S3Error) -> Void
    ) throws(S3Error) {
        var delivered = false
        try withoutActuallyEscaping(onChunk) { (onChunk) throws(S3Error) in
            let request = S3Request(operation: "GetObject", method: "GET", bucket: bucket, key: key)
            let receiver = { (bytes: UnsafeRawBufferPointer) throws(S3Error) in
                delivered = true
                try onChunk(bytes)
            }
            _ = try send(request, stopWhen: stopWhen, canRetry: { !delivered }, onChunk: receiver)
        }
    }

    /// Writes the object in one PutObject (S3 takes up to 5 GiB so; `objectWriter` for more, or
    /// for bytes that come in pieces).
    public func putObject(bucket: String, key: String, body: [UInt8], stopWhen: (@Sendable () -> Bool)? = nil) throws(S3Error) {
        let request = S3Request(operation: "PutObject", method: "PUT", bucket: bucket, key: key, body: body, contentType: "application/octet-stream")
        _ = try send(request, stopWhen: stopWhen)
    }

    /// Deletes the object (S3 answers 204 whether or not it was there).
    public func deleteObject(bucket: String, key: String, stopWhen: (@Sendable () -> Bool)? = nil) throws(S3Error) {
        _ = try send(S3Request(operation: "DeleteObject", method: "DELETE", bucket: bucket, key: key), stopWhen: stopWhen)
    }

    /// Creates the bucket in the configured region (with a LocationConstraint outside us-east-1, as S3 requires).
    public func createBucket(_ bucket: String, stopWhen: (@Sendable () -> Bool)? = nil) throws(S3Error) {
        var body: [UInt8] = []
        if configuration.region != "us-east-1" {
            body = try XMLElement(
                name: "CreateBucketConfiguration", namespace: XMLElement.s3Namespace,
                children: [XMLElement(name: "LocationConstraint", text: configuration.region)]
            ).document()
        }
        let request = S3Request(operation: "CreateBucket", method: "PUT", bucket: bucket, body: body, contentType: body.isEmpty ? nil : "application/xml")
        _ = try send(request, stopWhen: stopWhen)
    }

    /// A writer that uploads what is appended to it: in one PutObject when it all fits in
    /// `partSize` bytes, else as a multipart upload of `partSize` parts (at least 5 MiB, S3's
    /// minimum for every part but the last; smaller sizes are raised to it). It holds at most
    /// `partSize` bytes at a time.
    public func objectWriter(bucket: String, key: String, partSize: Int = 8 << 20) -> S3ObjectWriter {
        S3ObjectWriter(client: self, bucket: bucket, key: key, partSize: max(partSize, 5 << 20))
    }

    /// Sends `request` (with its retries) and returns a success answer; any other answer is thrown as its S3 error.
    func send(
        _ request: S3Request, stopWhen: (@Sendable () -> Bool)?, canRetry: () -> Bool = { true },
        onChunk: ((UnsafeRawBufferPointer) throws(S3Error) -> Void)? = nil
    ) throws(S3Error) -> HTTPOutcome {
        try retrying(request, stopWhen: stopWhen, canRetry: canRetry) { () throws(S3Error) in
            let outcome = try exchange(request, stopWhen: stopWhen, onChunk: onChunk)
            guard (200..<300).contains(outcome.status) else { throw S3Error(status: outcome.status, body: outcome.body) }
            return outcome
        }
    }

    /// Runs `attempt` up to `maxAttempts` times: again after a failure `RetryPolicy` retries (while
    /// `canRetry` agrees), once the backoff has passed. `stopWhen` is asked before each attempt and
    /// during the waits; `onRetry` hears of each retry before its wait.
    func retrying<Result>(
        _ request: S3Request, stopWhen: (@Sendable () -> Bool)?, canRetry: () -> Bool = { true }, _ attempt: () throws(S3Error) -> Result
    ) throws(S3Error) -> Result {
        var number = 1
        while true {
            if let stopWhen, stopWhen() { throw .cancelled }
            do {
                return try attempt()
            } catch {
                // Once the caller has asked to stop, whatever happened to the attempt, the call was cancelled.
                if let stopWhen, stopWhen() { throw .cancelled }
                guard number < configuration.maxAttempts, RetryPolicy.isRetryable(error), canRetry() else { throw error }
                let delay = RetryPolicy.delay(
                    retry: number, baseMilliseconds: configuration.retryBaseDelayMilliseconds, capMilliseconds: configuration.retryMaxDelayMilliseconds)
                configuration.onRetry?(
                    S3Retry(operation: request.operation, bucket: request.bucket, key: request.key, attempt: number, error: error, delayMilliseconds: delay))
                try RetryPolicy.pause(milliseconds: delay, stopWhen: stopWhen)
                number += 1
            }
        }
    }

    /// Signs and sends `request` once, and returns whatever answer came.
    func exchange(
        _ request: S3Request, stopWhen: (@Sendable () -> Bool)? = nil, onChunk: ((UnsafeRawBufferPointer) throws(S3Error) -> Void)? = nil
    ) throws(S3Error) -> HTTPOutcome {
        let path = request.path
        var headers = [(name: "host", value: endpoint.host)]
        headers += signer.sign(
            method: request.method, canonicalURI: path, query: request.query, headers: headers, payloadHash: Hex.encode(SHA256.hash(request.body)),
            date: Self.now())
        if let contentType = request.contentType { headers.append(("content-type", contentType)) }
        let query = request.queryString
        let exchange = HTTPExchange(method: request.method, url: endpoint.base + path + (query.isEmpty ? "" : "?" + query), headers: headers, body: request.body)
        // A streamed read (a GetObject of a 1 GiB input) has no total bound: it may take as long as
        // it keeps moving, and the low-speed limit ends one that stops moving.
        let timeouts = HTTPTimeouts(
            connectMilliseconds: configuration.connectTimeoutSeconds * 1000, totalMilliseconds: onChunk == nil ? configuration.requestTimeoutSeconds * 1000 : 0,
            lowSpeedLimitBytesPerSecond: configuration.lowSpeedLimitBytesPerSecond, lowSpeedTimeSeconds: configuration.lowSpeedTimeSeconds)
        // The chunk callback's own error stops the transfer (HTTPError's Stopped) and is thrown in its place.
        var stopped: S3Error?
        let receiver = onChunk.map { onChunk in
            { (bytes: UnsafeRawBufferPointer) -> Bool in
                do throws(S3Error) {
                    try onChunk(bytes)
                    return true
                } catch {
                    stopped = error
                    return false
                }
            }
        }
        do {
            return try handles.withHandle { (handle) throws(HTTPError) in
                try handle.perform(exchange, timeouts: timeouts, limit: Self.maxGatheredBytes, onChunk: receiver, stopWhen: stopWhen)
            }
        } catch {
            if let stopped { throw stopped }
            // Stopped without a chunk's error: the caller's stopWhen ended the transfer.
            if error.kind == .stopped { throw .cancelled }
            throw S3Error(error)
        }
    }

    /// The wall-clock time, which signatures carry (S3 refuses one more than 15 minutes off).
    private static func now() -> AmzDate {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return AmzDate(secondsSince1970: Int64(time.tv_sec))
    }
}
