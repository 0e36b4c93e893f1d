import Sync

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One retry of an S3 call, as `S3Configuration.onRetry` hears of it: which operation on which
/// object, which attempt failed and why, and how long the client waits before the next one.
public struct S3Retry: Sendable, Equatable, CustomStringConvertible {
    /// S3's name of the operation: ListObjectsV2, HeadObject, GetObject, PutObject, CreateBucket,
    /// CreateMultipartUpload, UploadPart, CompleteMultipartUpload.
    public var operation: String
    public var bucket: String
    /// nil for an operation on the bucket (ListObjectsV2, CreateBucket).
    public var key: String?
    /// The attempt that failed, 1 for the first; the next one is `attempt + 1`.
    public var attempt: Int
    /// Why it failed: S3's code and status (`SlowDown`, HTTP 503), or the transport's (`ConnectionFailed`, `Timeout`).
    public var error: S3Error
    /// The wait before the next attempt.
    public var delayMilliseconds: Int

    public init(operation: String, bucket: String, key: String?, attempt: Int, error: S3Error, delayMilliseconds: Int) {
        self.operation = operation
        self.bucket = bucket
        self.key = key
        self.attempt = attempt
        self.error = error
        self.delayMilliseconds = delayMilliseconds
    }

    /// The code, with the status when there was an answer: `SlowDown (HTTP 503)`, `ConnectionFailed`.
    public var reason: String { error.httpStatus.map { "\(error.code) (HTTP \($0))" } ?? error.code }

    public var description: String {
        "\(operation) s3://\(bucket)/\(key ?? ""): attempt \(attempt) failed with \(reason), next in \(delayMilliseconds) ms"
    }
}

/// Which failures are tried again, and the wait between tries: what AWS's SDKs do in their
/// standard retry mode (botocore's `standard`), with shorter waits.
enum RetryPolicy {
    /// Statuses tried again whatever the code: botocore's transient ones, and 429.
    static let statuses: Set<Int> = [429, 500, 502, 503, 504]

    /// Codes tried again whatever the status: the transport's (no connection, a reset, a timeout),
    /// botocore's throttling and transient codes, and S3's InternalError and ServiceUnavailable (which
    /// S3 may also send with status 200, in the body of a CompleteMultipartUpload). Not retried, as in
    /// botocore: RequestTimeTooSkewed, AccessDenied, NoSuchKey... (every other 4xx), InvalidResponse,
    /// TooLarge, Cancelled.
    static let codes: Set<String> = [
        "ConnectionFailed", "Timeout",
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
        "LimitExceededException", "RequestThrottled", "SlowDown", "EC2ThrottledException", "PriorRequestNotComplete",
        "RequestTimeout", "RequestTimeoutException", "InternalError", "ServiceUnavailable",
    ]

    static func isRetryable(_ error: S3Error) -> Bool {
        guard error.code != S3Error.cancelledCode else { return false }
        return codes.contains(error.code) || error.httpStatus.map { statuses.contains($0) } == true
    }

    /// The wait before retry `number` (1 for the second attempt): between half and all of
    /// `base` × 2^(number − 1), at most `cap` ("equal jitter", so that clients that failed together
    /// do not come back together, yet each waits at least half).
    static func delay(retry number: Int, baseMilliseconds base: Int, capMilliseconds cap: Int) -> Int {
        var ceiling = max(0, min(base, cap))
        var doublings = 1
        while doublings < number, ceiling < cap {
            ceiling = ceiling > cap / 2 ? cap : ceiling * 2
            doublings += 1
        }
        guard ceiling > 1 else { return ceiling }
        return Int.random(in: (ceiling / 2)...ceiling)
    }

    /// The longest slice of a wait between two looks at the caller's stop condition.
    static let sliceMilliseconds = 20

    /// Waits `milliseconds`, in slices of at most `sliceMilliseconds`, asking `stopWhen` before each:
    /// Cancelled as soon as it answers true.
    static func pause(milliseconds: Int, stopWhen: (@Sendable () -> Bool)?) throws(S3Error) {
        let deadline = Monotonic.deadline(in: milliseconds)
        while true {
            if let stopWhen, stopWhen() { throw .cancelled }
            let now = Monotonic.now()
            guard now < deadline else { return }
            let slice = min(deadline - now, UInt64(sliceMilliseconds) * 1_000_000)
            var request = timespec(tv_sec: 0, tv_nsec: Int(slice))
            _ = nanosleep(&request, nil)
        }
    }
}
