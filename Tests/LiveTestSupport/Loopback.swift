#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Sockets on 127.0.0.1 for the live tests' own servers and for ports nothing listens on.
public enum Loopback {
    /// A TCP socket listening on 127.0.0.1 on a port the kernel picks: its descriptor and port.
    public static func listen(backlog: Int32) throws -> (descriptor: Int32, port: UInt16) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard descriptor >= 0, bound, Glibc.listen(descriptor, backlog) == 0 else {
            if descriptor >= 0 { close(descriptor) }
            throw TestSetupError(message: "cannot listen on 127.0.0.1: errno \(errno)")
        }
        return (descriptor, UInt16(bigEndian: address.sin_port))
    }

    /// A port nothing listens on (bound by the kernel's choice, then released).
    public static func closedPort() throws -> UInt16 {
        let (descriptor, port) = try listen(backlog: 1)
        close(descriptor)
        return port
    }

    /// Whether something accepts connections on `port` of 127.0.0.1.
    public static func acceptsConnections(on port: UInt16) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
