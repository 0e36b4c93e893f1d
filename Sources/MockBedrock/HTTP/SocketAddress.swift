// CMicroHTTPD too: its header includes <sys/socket.h>, and in a whole-module build the socket
// constants (SOCK_STREAM) can be seen through it only.
import CMicroHTTPD

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// An IPv4 or IPv6 address to listen on, built from `--host` and `--port`.
struct SocketAddress {
    var storage = sockaddr_storage()
    var isIPv6 = false

    /// Accepts a numeric IPv4 or IPv6 address, or a name (`localhost`) that resolves to one.
    init(host: String, port: UInt16) throws(ServerError) {
        let name = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        var v4 = sockaddr_in()
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET, name, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            withUnsafeBytes(of: &v4) { source in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) } }
        } else if inet_pton(AF_INET6, name, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
            withUnsafeBytes(of: &v6) { source in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) } }
            isIPv6 = true
        } else {
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var result: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(name, nil, &hints, &result)
            guard status == 0, let first = result else {
                throw ServerError(operation: "resolve --host \(host)", detail: String(cString: gai_strerror(status)))
            }
            defer { freeaddrinfo(result) }
            let family = first.pointee.ai_family
            guard family == AF_INET || family == AF_INET6, let address = first.pointee.ai_addr else {
                throw ServerError(operation: "resolve --host \(host)", detail: "no IPv4 or IPv6 address")
            }
            withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: UnsafeRawBufferPointer(start: address, count: Int(first.pointee.ai_addrlen))) }
            isIPv6 = family == AF_INET6
            withUnsafeMutableBytes(of: &storage) { raw in
                if isIPv6 {
                    raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self).pointee.sin6_port = port.bigEndian
                } else {
                    raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self).pointee.sin_port = port.bigEndian
                }
            }
        }
    }
}

/// A failure to start or run the server, with the step that failed.
public struct ServerError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var detail: String

    public var description: String { "cannot \(operation): \(detail)" }
}
