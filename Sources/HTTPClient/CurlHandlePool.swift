import Sync

/// Idle easy handles, so that consecutive calls reuse their connections (a TLS handshake per
/// request would dominate small requests), while concurrent calls each get a handle of their own.
public final class CurlHandlePool: Sendable {
    private let idle = Locked<[CurlHandle]>([])
    /// Handles kept idle at most; more concurrent calls make handles that are dropped afterwards.
    private let capacity = 16

    public init() {}

    /// Runs `body` with a handle no other thread uses meanwhile, then keeps the handle for the next call.
    public func withHandle<Result>(_ body: (CurlHandle) throws(HTTPError) -> Result) throws(HTTPError) -> Result {
        let handle: CurlHandle
        if let idle = idle.withLock({ $0.popLast() }) { handle = idle } else { handle = try CurlHandle() }
        defer {
            idle.withLock { idle in
                if idle.count < capacity { idle.append(handle) }
            }
        }
        return try body(handle)
    }
}
