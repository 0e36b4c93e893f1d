#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Programs the live tests start (moto_server, the venv's Python), without Foundation's `Process`.
public enum Subprocess {
    /// Starts `program` with `arguments`, this process's environment (without proxy variables) plus
    /// `environment` (`NAME=value`), and its output and errors written to the file at `outputPath`.
    public static func spawn(_ program: String, _ arguments: [String], environment: [String] = [], outputPath: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var argv = ([program] + arguments).map { strdup($0) }
        argv.append(nil)
        // Without the proxy variables, which a test may have set for itself (ProxyEnvironment): the
        // programs started here (moto, boto3) talk to 127.0.0.1 only.
        var inherited: [String] = []
        var entry = environ
        while let variable = entry.pointee {
            let text = String(cString: variable)
            if !ProxyEnvironment.names.contains(where: { text.hasPrefix($0 + "=") }) { inherited.append(text) }
            entry += 1
        }
        var envp = (inherited + environment).map { strdup($0) }
        envp.append(nil)
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, program, &actions, nil, argv, envp)
        guard spawned == 0 else { throw TestSetupError(message: "cannot start \(program): error \(spawned)") }
        return pid
    }

    /// Runs `program` to its end and returns its output; an exit status other than 0 throws.
    public static func run(_ program: String, _ arguments: [String], environment: [String] = []) throws -> String {
        let outputPath = "/tmp/mock-bedrock-tests-run-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { unlink(outputPath) }
        let pid = try spawn(program, arguments, environment: environment, outputPath: outputPath)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        let output = read(outputPath)
        guard status == 0 else { throw TestSetupError(message: "\(program) \(arguments.joined(separator: " ")) failed (status \(status)): \(output)") }
        return output
    }

    /// The text of a file, empty when it cannot be read.
    public static func read(_ path: String) -> String {
        guard let file = fopen(path, "r") else { return "" }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            guard count > 0 else { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A test's setup failed (a program missing, a port not bound): the message says what and how to fix it.
public struct TestSetupError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    public init(message: String) {
        self.message = message
    }
}
