import ArgumentParser
import Dispatch
import Fixtures
import Logging
import MockBedrock

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `mock-bedrock`: `serve` (the default) or `health`.
@main
struct MockBedrockMain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mock-bedrock",
        abstract: "A local mock of the Amazon Bedrock batch inference (model invocation job) API.",
        discussion: "`mock-bedrock [options]` is `mock-bedrock serve [options]`; see `mock-bedrock serve --help`.",
        subcommands: [MockBedrockCommand.self, HealthCommand.self],
        defaultSubcommand: MockBedrockCommand.self
    )

    static func main() {
        do {
            let arguments = try MockBedrockCommand.arguments(commandLine: Array(CommandLine.arguments.dropFirst())) { name in
                getenv(name).map { String(cString: $0) }
            }
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}

/// `mock-bedrock serve`: serves the Amazon Bedrock batch inference API from fixture files.
struct MockBedrockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the batch inference API (the default command).",
        discussion: """
            Every option can also be set with an environment variable (shown in its help); \
            an option on the command line wins over the variable.
            """
    )

    /// The default port, also the one the container image exposes.
    static let defaultPort: UInt16 = 4599

    /// `--port`: a whole number from 0 to 65535.
    static func port(_ text: String) throws -> UInt16 {
        guard let port = UInt16(text) else { throw ValidationError("--port must be a whole number from 0 to 65535, not '\(text)'") }
        return port
    }

    /// Fixture problems printed at most before the count of the rest.
    static let problemsPrinted = 100

    /// How long requests in flight (a delayed one too) may take to be answered after SIGTERM or SIGINT.
    static let stopGraceSeconds = 1.5

    /// How long a stop may take in all; the process exits then even if a request is stuck.
    static let stopLimitSeconds = 1.75

    @Option(help: "Address to listen on; 0.0.0.0 in a container. (MOCK_BEDROCK_HOST)")
    var host = "127.0.0.1"

    // Numbers are parsed unconditionally: `--port -1` is the value -1, refused with the range,
    // not a missing value followed by an unknown option.
    @Option(
        parsing: .unconditional, help: "Port to listen on; 0 picks a free one, printed in the ready line. (MOCK_BEDROCK_PORT)",
        transform: MockBedrockCommand.port)
    var port: UInt16 = defaultPort

    @Option(help: "A directory of fixture *.json files, or one file. (MOCK_BEDROCK_FIXTURES)")
    var fixtures = "fixtures"

    @Option(parsing: .unconditional, help: "Threads serving requests, 1 to 256 (default: the number of cores). (MOCK_BEDROCK_THREADS)")
    var threads: Int?

    @Option(help: "The virtual clock's time at start, ISO 8601 (default: now). (MOCK_BEDROCK_CLOCK_START)", transform: ClockStart.init(checking:))
    var clockStart: ClockStart?

    @Option(parsing: .unconditional, help: "Simulated seconds per real second: 3600 runs an hour a second, 0 freezes the clock. (MOCK_BEDROCK_CLOCK_RATE)")
    var clockRate: Double = 1

    @Option(
        name: .customLong("rate-limit"),
        help: ArgumentHelp(
            "OPERATION=N/s: answer ThrottlingException (429) past N requests a second of that operation; repeatable. (MOCK_BEDROCK_RATE_LIMITS, comma-separated)",
            valueName: "operation=rate"))
    var rateLimits: [RateLimitArgument] = []

    @Option(help: "The region of requests that are not SigV4-signed; signed ones use their credential scope's. (MOCK_BEDROCK_REGION)")
    var region = "us-east-1"

    @Option(help: "The account of callers whose access key id is not a 12-digit account id. (MOCK_BEDROCK_ACCOUNT_ID)")
    var accountId = "123456789012"

    @Option(parsing: .unconditional, help: "Answer ServiceQuotaExceededException to a Create past N unfinished jobs in an account and region. (MOCK_BEDROCK_MAX_ACTIVE_JOBS)")
    var maxActiveJobs: Int?

    @Option(parsing: .unconditional, help: "How many recent requests GET /_mock/requests keeps; 0 keeps none. (MOCK_BEDROCK_JOURNAL_SIZE)")
    var journalSize = 1000

    @Option(help: "Least severe log level written to stderr; info writes an access line per request. (MOCK_BEDROCK_LOG_LEVEL)")
    var logLevel: Logger.Level = .info

    @Option(parsing: .unconditional, help: "Open connections at most; past it new connections wait until one closes. (MOCK_BEDROCK_MAX_CONNECTIONS)")
    var maxConnections = ServerConfiguration.defaultMaxConnections

    @Option(parsing: .unconditional, help: "Seconds a connection may stay silent before it is closed; 0 never. (MOCK_BEDROCK_IDLE_TIMEOUT)")
    var idleTimeout = ServerConfiguration.defaultIdleTimeoutSeconds

    @Option(parsing: .unconditional, help: "The largest request body read; larger ones answer 413 RequestEntityTooLargeException. (MOCK_BEDROCK_MAX_BODY_BYTES)")
    var maxBodyBytes = ServerConfiguration.defaultMaxBodyBytes

    @Flag(help: "Switch the admin API (/_mock/...) off; /_mock/health stays. (MOCK_BEDROCK_NO_ADMIN=1)")
    var noAdmin = false

    @Flag(help: "Stop (as on SIGTERM) when standard input reaches its end: a parent holding the pipe stops the server by exiting, however it exits.")
    var exitOnStdinClose = false

    @Option(help: "Require this token in the x-mock-admin-token header of admin requests; AWS operations never need it. (MOCK_BEDROCK_ADMIN_TOKEN)")
    var adminToken: String?

    @Flag(help: "Require AWS operations to be SigV4-signed with a key given in --credentials. (MOCK_BEDROCK_VERIFY_SIGV4=1)")
    var verifySigv4 = false

    @Option(
        name: .customLong("credentials"),
        help: ArgumentHelp(
            "ACCESS_KEY_ID:SECRET_ACCESS_KEY that --verify-sigv4 accepts; repeatable. (MOCK_BEDROCK_CREDENTIALS, comma-separated: keeps secrets out of ps)",
            valueName: "key:secret"))
    var credentials: [CredentialArgument] = []

    @Option(
        name: .customLong("deny-access-key"),
        help: ArgumentHelp(
            "An access key id of --credentials whose signed requests get AccessDeniedException; repeatable. (MOCK_BEDROCK_DENY_ACCESS_KEYS, comma-separated)",
            valueName: "key"))
    var deniedAccessKeys: [String] = []

    @OptionGroup(title: "Batch data")
    var data: DataOptions

    @OptionGroup(title: "Lifecycle events")
    var events: EventOptions

    func validate() throws {
        if let problem = serverConfiguration.problems.first { throw ValidationError(problem) }
        if noAdmin, adminToken != nil { throw ValidationError("--no-admin and --admin-token exclude each other") }
        if let adminToken, adminToken.isEmpty { throw ValidationError("--admin-token must not be empty") }
        if verifySigv4, credentials.isEmpty { throw ValidationError("--verify-sigv4 needs at least one --credentials KEY:SECRET") }
        if !verifySigv4, !credentials.isEmpty || !deniedAccessKeys.isEmpty {
            throw ValidationError("--credentials and --deny-access-key only count with --verify-sigv4")
        }
        for key in deniedAccessKeys where !credentials.contains(where: { $0.accessKeyId == key }) {
            throw ValidationError("--deny-access-key \(key) is not among the --credentials")
        }
    }

    /// Who may use the admin API, from --no-admin and --admin-token.
    var adminAccess: AdminAccess { noAdmin ? .off : adminToken.map(AdminAccess.token) ?? .open }

    /// The flags as the one configuration the server takes.
    var serverConfiguration: ServerConfiguration {
        ServerConfiguration(
            host: host, port: port, threads: threads ?? MockBedrockServer.defaultThreads, maxConnections: maxConnections,
            idleTimeoutSeconds: idleTimeout, maxBodyBytes: maxBodyBytes, fixtures: fixtures, clockStart: clockStart?.timestamp,
            clockRate: clockRate, rateLimits: rateLimits.map(\.limit), journalSize: journalSize,
            service: ServiceSettings(
                region: region, accountId: accountId, maxActiveJobs: maxActiveJobs, admin: adminAccess,
                sigV4: verifySigv4
                    ? SigV4Verification(
                        secrets: Dictionary(credentials.map { ($0.accessKeyId, $0.secret) }, uniquingKeysWith: { _, last in last }),
                        denied: Set(deniedAccessKeys))
                    : nil),
            data: data.configuration)
    }

    func run() throws {
        // Block the stop signals before any thread starts (the event sinks' delivery threads, Dispatch's
        // workers, libmicrohttpd's): every thread inherits the mask, so that only sigwait below receives
        // them. A thread made earlier would take a signal's default action and end the process.
        var stopSignals = Self.blockStopSignals()
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "mock-bedrock")
        var configuration = serverConfiguration
        configuration.clockStart = configuration.clockStart ?? .wallClockNow()
        if let warning = configuration.raiseOpenFileLimit() { logger.warning("\(warning)") }
        do {
            configuration.eventOutlets = try events.outlets(log: { [logger] line in logger.warning("\(line)") })
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }

        let server: MockBedrockServer
        do {
            server = try MockBedrockServer(configuration: configuration, logger: logger)
        } catch let error as FixtureLoadError {
            // The first problems name the mistake; a million more would only bury it.
            for problem in error.errors.prefix(Self.problemsPrinted) { printError(problem.description) }
            let listed = error.errors.prefix(Self.problemsPrinted).reduce(0) { $0 + max(1, $1.omitted) }
            if error.count > listed { printError("... and \(error.count - listed) more problems") }
            printError("\(error.count) \(error.count == 1 ? "problem" : "problems") in the fixtures; not starting.")
            throw ExitCode(1)
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
        // Parsing large fixtures leaves freed memory with malloc: give it back.
        _ = malloc_trim(0)
        print("mock-bedrock listening on \(server.endpoint)")
        fflush(nil)  // stdout is block-buffered on a pipe; a script waits for this line
        logger.notice(
            """
            serving \(server.service.store.count) jobs from \(fixtures) with \(configuration.threads) threads; \
            clock starts at \(configuration.clockStart ?? .wallClockNow()), rate \(clockRate)
            """)
        if let warning = configuration.exposureWarning { logger.warning("\(warning)") }

        if exitOnStdinClose { Self.stopWhenStdinCloses() }
        var received: Int32 = 0
        sigwait(&stopSignals, &received)
        // First the bound: whatever holds the stop (a request stuck in a worker, which libmicrohttpd
        // joins, or a stderr pipe nobody reads, which holds every logging thread), the process leaves
        // at the limit. Then new connections are refused at once and requests in flight get a moment.
        Self.exit(after: Self.stopLimitSeconds)
        logger.notice("stopping on signal \(received)")
        Self.takeLaterStopSignals(stopSignals, logger: logger)
        server.stop(grace: Self.stopGraceSeconds)
    }

    /// Blocks SIGINT and SIGTERM in the calling thread (and so in every thread it makes later) and
    /// ignores SIGPIPE; the set to `sigwait` on.
    static func blockStopSignals() -> sigset_t {
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGINT)
        sigaddset(&stopSignals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &stopSignals, nil)
        signal(SIGPIPE, SIG_IGN)
        return stopSignals
    }

    /// A signal that comes while the server stops (an impatient Ctrl-C, a supervisor's second SIGTERM)
    /// is taken by a thread of its own and logged: the stop already under way, bounded by
    /// `stopLimitSeconds`, still ends with code 0 and the answers in flight.
    static func takeLaterStopSignals(_ signals: sigset_t, logger: Logger) {
        let signals = UncheckedSignalSet(set: signals)
        DispatchQueue(label: "mock-bedrock.signals").async {
            var set = signals.set
            while true {
                var received: Int32 = 0
                guard sigwait(&set, &received) == 0 else { return }
                logger.notice("signal \(received) while stopping: the stop under way goes on (at most \(stopLimitSeconds) s)")
            }
        }
    }

    /// Leaves the process with code 0 after `seconds`, from a thread of its own, without stdio (whose
    /// lock a blocked writer may hold): the warning goes to stderr only if it can be written at once.
    static func exit(after seconds: Double) {
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(seconds * 1e9))) {
            let warning = "mock-bedrock: requests still running \(seconds) s after the signal; exiting without them\n"
            var stderrReady = pollfd(fd: 2, events: Int16(POLLOUT), revents: 0)
            if poll(&stderrReady, 1, 0) == 1, stderrReady.revents & Int16(POLLOUT) != 0 {
                _ = warning.withCString { write(2, $0, strlen($0)) }
            }
            _exit(0)
        }
    }

    /// Reads standard input until its end (or an error) on a thread of its own, then sends the process
    /// SIGTERM, which the main thread's sigwait takes as any stop: the Python package starts the
    /// server with a pipe it never writes, so the server stops when its parent exits, even when killed.
    static func stopWhenStdinCloses() {
        DispatchQueue(label: "mock-bedrock.stdin").async {
            var buffer = [UInt8](repeating: 0, count: 256)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
            }
            kill(getpid(), SIGTERM)
        }
    }

    /// A signal set handed to the thread that waits on it (a plain C value; Swift does not know it is Sendable).
    struct UncheckedSignalSet: @unchecked Sendable {
        let set: sigset_t
    }

    private func printError(_ line: String) {
        let text = "mock-bedrock: \(line)\n"
        _ = text.withCString { write(2, $0, strlen($0)) }
    }
}
