import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The proxy variables of this process's environment, for the tests that show loopback traffic
/// never goes through a proxy. Tests run in parallel in one process, so changing the environment is
/// done under one lock (no two such tests overlap) and for as short a time as the test needs; the
/// programs the live tests start never inherit a proxy variable (`Subprocess.spawn` drops them).
public enum ProxyEnvironment {
    /// Every name libcurl, botocore and requests read for a proxy.
    public static let names = ["http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"]

    private static let lock = Mutex(())

    /// Runs `body` with each of `variables` naming a proxy on a port nothing listens on (its URL is
    /// `body`'s argument), then puts back what was there.
    public static func withDeadProxy<Result>(_ variables: [String], _ body: (String) throws -> Result) throws -> Result {
        try lock.withLock { _ in
            let proxy = "http://127.0.0.1:\(try Loopback.closedPort())"
            let saved = variables.map { name in (name, getenv(name).map { String(cString: $0) }) }
            for name in variables { setenv(name, proxy, 1) }
            defer {
                for (name, value) in saved {
                    if let value { setenv(name, value, 1) } else { unsetenv(name) }
                }
            }
            return try body(proxy)
        }
    }
}
