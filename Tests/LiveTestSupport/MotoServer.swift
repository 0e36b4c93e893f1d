#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A real moto_server (the Python mock of AWS) on a free loopback port, for the live tests. The
/// program is `$MOTO_SERVER`, or `.venv/bin/moto_server` under the package root; without it a test
/// fails, saying so, rather than skipping (a skipped live test would hide a broken client).
public final class MotoServer: Sendable {
    public let port: UInt16
    private let pid: pid_t
    public let logPath: String

    public var endpoint: String { "http://127.0.0.1:\(port)" }

    public static var program: String {
        if let configured = getenv("MOTO_SERVER") { return String(cString: configured) }
        let root = #filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")
        return root + "/.venv/bin/moto_server"
    }

    /// The venv's Python, next to moto_server, with boto3.
    public static var python: String {
        program.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/") + "/python"
    }

    /// Starts moto and waits until it accepts connections (Python takes seconds to import moto).
    /// `environment` adds variables: `INITIAL_NO_AUTH_ACTION_COUNT=n` makes moto check signatures
    /// (with botocore's signers) after its first n requests.
    public static func start(environment: [String] = []) throws -> MotoServer {
        let program = program
        guard access(program, X_OK) == 0 else {
            throw TestSetupError(message: "moto_server not found at \(program): set MOTO_SERVER to its path, or create .venv from Tests/e2e/requirements.txt (scripts/test does)")
        }
        let port = try Loopback.closedPort()
        let logPath = "/tmp/mock-bedrock-tests-moto-\(port).log"
        let pid = try Subprocess.spawn(program, ["-H", "127.0.0.1", "-p", String(port)], environment: environment, outputPath: logPath)
        let server = MotoServer(port: port, pid: pid, logPath: logPath)
        for _ in 0..<300 {
            if Loopback.acceptsConnections(on: port) { return server }
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

    /// Runs a boto3 script with the venv's Python against this server (`ENDPOINT` is set for it)
    /// and returns what it printed.
    public func python(_ script: String) throws -> String {
        try Subprocess.run(Self.python, ["-c", "ENDPOINT = \"\(endpoint)\"\n" + script])
    }

    private init(port: UInt16, pid: pid_t, logPath: String) {
        self.port = port
        self.pid = pid
        self.logPath = logPath
    }

    /// SIGTERM, then SIGKILL if moto is still there after 5 s; then its log goes.
    public func stop() {
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
}
