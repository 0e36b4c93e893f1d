import ArgumentParser
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
        let arguments = MockBedrockCommand.arguments(commandLine: Array(CommandLine.arguments.dropFirst())) { name in
            getenv(name).map { String(cString: $0) }
        }
        do {
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

    @Option(help: "Address to listen on; 0.0.0.0 in a container. (MOCK_BEDROCK_HOST)")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free one, printed in the ready line. (MOCK_BEDROCK_PORT)")
    var port: UInt16 = defaultPort

    @Option(help: "A directory of fixture *.json files, or one file. (MOCK_BEDROCK_FIXTURES)")
    var fixtures = "fixtures"

    @Option(help: "Threads serving requests (default: the number of cores, at least 2). (MOCK_BEDROCK_THREADS)")
    var threads: Int?

    @Option(help: "The virtual clock's time at start, ISO 8601 (default: now). (MOCK_BEDROCK_CLOCK_START)")
    var clockStart: ClockStart?

    @Option(help: "Simulated seconds per real second: 3600 runs an hour a second, 0 freezes the clock. (MOCK_BEDROCK_CLOCK_RATE)")
    var clockRate: Double = 1

    @Option(name: .customLong("rate-limit"), help: ArgumentHelp(
        "OPERATION=N/s: answer ThrottlingException (429) past N requests a second of that operation; repeatable. (MOCK_BEDROCK_RATE_LIMITS, comma-separated)",
        valueName: "operation=rate"))
    var rateLimits: [RateLimitArgument] = []

    @Option(help: "The region of requests that are not SigV4-signed; signed ones use their credential scope's. (MOCK_BEDROCK_REGION)")
    var region = "us-east-1"

    @Option(help: "The account of callers whose access key id is not a 12-digit account id. (MOCK_BEDROCK_ACCOUNT_ID)")
    var accountId = "123456789012"

    @Option(help: "Answer ServiceQuotaExceededException to a Create past N unfinished jobs in an account and region. (MOCK_BEDROCK_MAX_ACTIVE_JOBS)")
    var maxActiveJobs: Int?

    @Option(help: "How many recent requests GET /_mock/requests keeps; 0 keeps none. (MOCK_BEDROCK_JOURNAL_SIZE)")
    var journalSize = 1000

    @Option(help: "Least severe log level written to stderr; info writes an access line per request. (MOCK_BEDROCK_LOG_LEVEL)")
    var logLevel: Logger.Level = .info

    /// Environment variables that stand for options, in the order they are applied.
    static let environmentOptions: [(variable: String, option: String)] = [
        ("MOCK_BEDROCK_HOST", "--host"),
        ("MOCK_BEDROCK_PORT", "--port"),
        ("MOCK_BEDROCK_FIXTURES", "--fixtures"),
        ("MOCK_BEDROCK_THREADS", "--threads"),
        ("MOCK_BEDROCK_LOG_LEVEL", "--log-level"),
        ("MOCK_BEDROCK_CLOCK_START", "--clock-start"),
        ("MOCK_BEDROCK_CLOCK_RATE", "--clock-rate"),
        ("MOCK_BEDROCK_JOURNAL_SIZE", "--journal-size"),
        ("MOCK_BEDROCK_REGION", "--region"),
        ("MOCK_BEDROCK_ACCOUNT_ID", "--account-id"),
        ("MOCK_BEDROCK_MAX_ACTIVE_JOBS", "--max-active-jobs"),
    ]

    /// The arguments to parse: the subcommand, then options from set environment variables, so that
    /// the same option on the command line (parsed later, and the last one wins) overrides them.
    static func arguments(commandLine: [String], environment: (String) -> String?) -> [String] {
        if commandLine.first == HealthCommand.configuration.commandName {
            return HealthCommand.arguments(commandLine: commandLine, environment: environment)
        }
        let rest = commandLine.first == configuration.commandName ? Array(commandLine.dropFirst()) : commandLine
        var arguments = [configuration.commandName!]
        for (variable, option) in environmentOptions {
            if let value = environment(variable), !value.isEmpty { arguments += [option, value] }
        }
        if let limits = environment("MOCK_BEDROCK_RATE_LIMITS") {
            for limit in limits.split(separator: ",") where !limit.isEmpty { arguments += ["--rate-limit", String(limit)] }
        }
        return arguments + rest
    }

    func validate() throws {
        guard threads ?? 1 >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard clockRate >= 0, clockRate <= 1e9 else { throw ValidationError("--clock-rate must be from 0 (frozen) to 1e9") }
        guard journalSize >= 0, journalSize <= 1_000_000 else { throw ValidationError("--journal-size must be from 0 to 1000000") }
        guard ShapeRules.matches(accountId, pattern: ServiceModel.shape("AccountId").pattern!) else {
            throw ValidationError("--account-id must be 12 digits")
        }
        guard region.count <= 20, !region.isEmpty, region.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) else {
            throw ValidationError("--region must be 1 to 20 characters of a-z, 0-9 and -, like us-east-1")
        }
        guard maxActiveJobs ?? 1 >= 1 else { throw ValidationError("--max-active-jobs must be at least 1") }
    }

    func run() throws {
        let threads = threads ?? MockBedrockServer.defaultThreads
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "mock-bedrock")

        let start = clockStart?.timestamp ?? .wallClockNow()
        let jobs: [FixtureJob]
        do {
            jobs = try FixtureLoader.load(path: fixtures, defaultSubmitTime: start)
        } catch {
            for problem in error.errors { printError(problem.description) }
            let count = error.errors.count
            printError("\(count) \(count == 1 ? "problem" : "problems") in the fixtures; not starting.")
            throw ExitCode(1)
        }

        // Parsing large fixtures leaves freed memory with malloc: give it back.
        _ = malloc_trim(0)

        // Block the stop signals before libmicrohttpd starts its threads (they inherit the mask),
        // so that only sigwait below receives them.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGINT)
        sigaddset(&stopSignals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &stopSignals, nil)
        signal(SIGPIPE, SIG_IGN)

        let server: MockBedrockServer
        do {
            server = try MockBedrockServer(
                service: MockBedrockService(
                    fixtures: jobs, clockStart: start, clockRate: clockRate, rateLimits: rateLimits.map(\.limit), journalSize: journalSize,
                    settings: ServiceSettings(region: region, accountId: accountId, maxActiveJobs: maxActiveJobs)),
                configuration: .init(host: host, port: port, threads: threads),
                logger: logger)
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
        print("mock-bedrock listening on \(server.endpoint)")
        fflush(nil)  // stdout is block-buffered on a pipe; a script waits for this line
        logger.notice("serving \(jobs.count) jobs from \(fixtures) with \(threads) threads; clock starts at \(start), rate \(clockRate)")

        var received: Int32 = 0
        sigwait(&stopSignals, &received)
        logger.notice("stopping on signal \(received)")
        server.stop()
    }

    private func printError(_ line: String) {
        let text = "mock-bedrock: \(line)\n"
        _ = text.withCString { write(2, $0, strlen($0)) }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// `--rate-limit`: `OPERATION=N/s`.
struct RateLimitArgument: ExpressibleByArgument {
    let limit: RateLimit

    init?(argument: String) {
        guard let limit = RateLimit(argument) else { return nil }
        self.limit = limit
    }
}

/// `--clock-start`: an ISO 8601 time with an offset.
struct ClockStart: ExpressibleByArgument {
    let timestamp: Timestamp

    init?(argument: String) {
        guard let timestamp = Timestamp(iso8601: argument) else { return nil }
        self.timestamp = timestamp
    }
}

/// glibc's `malloc_trim` (in `<malloc.h>`, which the Glibc module does not export).
@_silgen_name("malloc_trim")
private func malloc_trim(_ pad: Int) -> Int32
