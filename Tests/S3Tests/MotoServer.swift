import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A real moto_server (the Python mock of AWS) on a free loopback port, for the live tests. The
/// program is `$MOTO_SERVER`, or `.venv/bin/moto_server` under the package root; without it the
/// suite fails, saying so, rather than skipping (a skipped live test would hide a broken client).
final class MotoServer: Sendable {
    let port: UInt16
    private let pid: pid_t
    let logPath: String

    @TaskLocal static var current: MotoServer?

    var endpoint: String { "http://127.0.0.1:\(port)" }

    static var program: String {
        if let configured = getenv("MOTO_SERVER") { return String(cString: configured) }
        let root = #filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")
        return root + "/.venv/bin/moto_server"
    }

    /// Starts moto and waits until it accepts connections (Python takes seconds to import moto).
    /// `environment` adds variables: `INITIAL_NO_AUTH_ACTION_COUNT=n` makes moto check signatures
    /// (with botocore's S3 signer) after its first n requests.
    static func start(environment: [String] = []) throws -> MotoServer {
        let program = program
        guard access(program, X_OK) == 0 else {
            throw TestSetupError(message: "moto_server not found at \(program): set MOTO_SERVER to its path, or create .venv from Tests/e2e/requirements.txt (scripts/test does)")
        }
        let port = try LoopbackListener.closedPort()
        let logPath = "/tmp/s3tests-moto-\(port).log"
        let pid = try Subprocess.spawn(program, ["-H", "127.0.0.1", "-p", String(port)], environment: environment, outputPath: logPath)
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

    /// An IAM user allowed s3:*, and its access key, made with boto3 from moto's own venv (the
    /// first three requests of a server started with `INITIAL_NO_AUTH_ACTION_COUNT=3` need no signature).
    func createAccessKey() throws -> (id: String, secret: String) {
        let python = Self.program.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/") + "/python"
        let script = """
            import boto3
            iam = boto3.client("iam", endpoint_url="\(endpoint)", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
            iam.create_user(UserName="s3tests")
            policy = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}'
            iam.put_user_policy(UserName="s3tests", PolicyName="s3", PolicyDocument=policy)
            key = iam.create_access_key(UserName="s3tests")["AccessKey"]
            print(key["AccessKeyId"], key["SecretAccessKey"])
            """
        let words = try Subprocess.run(python, ["-c", script]).split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard words.count == 2 else { throw TestSetupError(message: "boto3 printed no access key: \(words)") }
        return (String(words[0]), String(words[1]))
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

/// Runs a suite's tests against one moto_server, started before the first and stopped after the last.
struct WithMotoServer: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let moto = try MotoServer.start()
        defer { moto.stop() }
        try await MotoServer.$current.withValue(moto) { try await function() }
    }
}

extension Trait where Self == WithMotoServer {
    static var motoServer: Self { Self() }

}
