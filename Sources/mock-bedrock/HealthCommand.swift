import ArgumentParser

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `mock-bedrock health`: asks a running server for `GET /_mock/health` and exits 0 on 200, 1
/// otherwise. The container image's HEALTHCHECK uses it (the slim image has no curl).
struct HealthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Exit 0 if a mock-bedrock server answers GET /_mock/health with 200, else 1.")

    @Option(help: "The server's address; 0.0.0.0 and :: mean this machine. (MOCK_BEDROCK_HOST)")
    var host = "127.0.0.1"

    @Option(help: "The server's port. (MOCK_BEDROCK_PORT)")
    var port: UInt16 = MockBedrockCommand.defaultPort

    @Option(help: "Seconds to wait for the answer.")
    var timeout: Int = 2

    /// `health` first, then the host and port from the environment, then the command line.
    static func arguments(commandLine: [String], environment: (String) -> String?) -> [String] {
        var arguments = [configuration.commandName!]  // set in the static configuration above
        for (variable, option) in [("MOCK_BEDROCK_HOST", "--host"), ("MOCK_BEDROCK_PORT", "--port")] {
            if let value = environment(variable), !value.isEmpty { arguments += [option, value] }
        }
        return arguments + commandLine.dropFirst()
    }

    func run() throws {
        let target = host == "0.0.0.0" || host == "::" || host == "[::]" ? "127.0.0.1" : host
        guard let status = Self.healthStatus(host: target, port: port, timeoutSeconds: timeout), status == 200 else {
            throw ExitCode(1)
        }
    }

    /// The HTTP status of `GET /_mock/health`, or nil when nothing answered.
    static func healthStatus(host: String, port: UInt16, timeoutSeconds: Int) -> Int? {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let address = found else { return nil }
        defer { freeaddrinfo(found) }
        let socketDescriptor = socket(address.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { return nil }
        defer { close(socketDescriptor) }
        var limit = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(socketDescriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socketDescriptor, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        guard connect(socketDescriptor, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 else { return nil }
        let request = Array("GET /_mock/health HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(socketDescriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else { return nil }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { recv(socketDescriptor, $0.baseAddress, $0.count, 0) }
        guard count >= 12 else { return nil }
        let statusLine = String(decoding: buffer[0..<count], as: UTF8.self)
        guard statusLine.hasPrefix("HTTP/1.") else { return nil }
        return Int(statusLine.dropFirst(9).prefix(3))
    }
}
