#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A real moto_server (the Python mock of AWS) on a free loopback port, as S3Tests starts it. The
/// program is `$MOTO_SERVER`, or `.venv/bin/moto_server` under the package root.
final class MotoServer: Sendable {
    let port: UInt16
    private let pid: pid_t
    let logPath: String

    var endpoint: String { "http://127.0.0.1:\(port)" }

    static var program: String {
        if let configured = getenv("MOTO_SERVER") { return String(cString: configured) }
        let root = #filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")
        return root + "/.venv/bin/moto_server"
    }

    /// The venv's Python, next to moto_server, with boto3.
    static var python: String {
        program.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/") + "/python"
    }

    static var isAvailable: Bool { access(program, X_OK) == 0 }

    /// Starts moto and waits until it accepts connections (Python takes seconds to import moto).
    static func start() throws -> MotoServer {
        let program = program
        guard isAvailable else { throw TestSetupError(message: "moto_server not found at \(program): set MOTO_SERVER to its path") }
        let port = try HTTPReceiver.closedPort()
        let logPath = "/tmp/eventdeliverytests-moto-\(port).log"
        let pid = try Subprocess.spawn(program, ["-H", "127.0.0.1", "-p", String(port)], outputPath: logPath)
        let server = MotoServer(port: port, pid: pid, logPath: logPath)
        for _ in 0..<300 {
            if server.acceptsConnections() { return server }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                let output = Subprocess.read(logPath)
                unlink(logPath)
                throw TestSetupError(message: "moto_server exited at start (status \(status)); it wrote: \(output.suffix(2_000))")
            }
            usleep(100_000)
        }
        let output = Subprocess.read(logPath)
        server.stop()
        throw TestSetupError(message: "moto_server did not listen on port \(port) within 30 s; it wrote: \(output.suffix(2_000))")
    }

    /// Runs a boto3 script against this server (`ENDPOINT` is set for it) and returns what it printed.
    func python(_ script: String) throws -> String {
        try Subprocess.run(Self.python, ["-c", "ENDPOINT = \"\(endpoint)\"\n" + script])
    }

    private init(port: UInt16, pid: pid_t, logPath: String) {
        self.port = port
        self.pid = pid
        self.logPath = logPath
    }

    /// SIGTERM, then SIGKILL if moto is still there after 5 s; then its log goes.
    func stop() {
        defer { unlink(logPath) }
        kill(pid, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<50 {
            if waitpid(pid, &status, WNOHANG) == pid { return }
            usleep(100_000)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
    }

    private func acceptsConnections() -> Bool {
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
