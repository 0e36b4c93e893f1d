#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Idle easy handles, so that consecutive calls reuse their connections (a TLS handshake per
/// request would dominate small requests), while concurrent calls each get a handle of their own.
/// A pthread mutex rather than Synchronization's `Mutex`, for ThreadSanitizer (see `Locked` in Fixtures).
public final class CurlHandlePool: @unchecked Sendable {
    private var idle: [CurlHandle] = []
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// Handles kept idle at most; more concurrent calls make handles that are dropped afterwards.
    private let capacity = 16

    public init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with a handle no other thread uses meanwhile, then keeps the handle for the next call.
    public func withHandle<Result>(_ body: (CurlHandle) throws(HTTPError) -> Result) throws(HTTPError) -> Result {
        let handle: CurlHandle
        if let idle = take() { handle = idle } else { handle = try CurlHandle() }
        defer { give(handle) }
        return try body(handle)
    }

    private func take() -> CurlHandle? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return idle.popLast()
    }

    private func give(_ handle: CurlHandle) {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if idle.count < capacity { idle.append(handle) }
    }
}
