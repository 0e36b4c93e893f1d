import Logging
import Testing

@testable import mock_bedrock

@Suite struct MockBedrockCommandTests {
    @Test func defaultsServeTheBundledFixturesOnLoopback() throws {
        let command = try MockBedrockCommand.parse([])
        #expect(command.host == "127.0.0.1")
        #expect(command.port == 4599)
        #expect(command.fixtures == "fixtures")
        #expect(command.threads == nil)  // the number of cores
        #expect(command.logLevel == .info)
    }

    @Test func environmentVariablesSetOptionsAndTheCommandLineWins() throws {
        // given
        let environment = ["MOCK_BEDROCK_PORT": "7000", "MOCK_BEDROCK_FIXTURES": "/data", "MOCK_BEDROCK_LOG_LEVEL": "warning", "MOCK_BEDROCK_HOST": ""]
        // when
        let arguments = try MockBedrockCommand.arguments(commandLine: ["--port", "0"]) { environment[$0] }
        #expect(arguments.first == "serve")
        let command = try MockBedrockCommand.parse(Array(arguments.dropFirst()))
        // then
        #expect(command.port == 0)
        #expect(command.fixtures == "/data")
        #expect(command.logLevel == .warning)
        #expect(command.host == "127.0.0.1")
    }

    @Test func healthTakesHostAndPortFromTheEnvironment() throws {
        let arguments = try MockBedrockCommand.arguments(commandLine: ["health", "--timeout", "5"]) { ["MOCK_BEDROCK_PORT": "7000", "MOCK_BEDROCK_HOST": "0.0.0.0"][$0] }
        #expect(arguments == ["health", "--host", "0.0.0.0", "--port", "7000", "--timeout", "5"])
        let health = try HealthCommand.parse(Array(arguments.dropFirst()))
        #expect(health.port == 7000 && health.timeout == 5)
    }

    @Test(arguments: [
        (["--port", "70000"], "--port must be a whole number from 0 to 65535, not '70000'"),
        (["--threads", "0"], "--threads must be from 1 to 256"),
        (["--log-level", "loud"], "The value 'loud' is invalid for '--log-level"),
    ])
    func rejectsInvalidValues(arguments: [String], message: String) {
        expectRefusal(arguments, saying: message)
    }

    /// A negative number is the option's value, refused with its range, not a missing value.
    @Test(arguments: [
        (["--port", "-1"], "--port must be a whole number from 0 to 65535, not '-1'"),
        (["--threads", "-1"], "--threads must be from 1 to 256"),
        (["--threads", "100000"], "--threads must be from 1 to 256"),
        (["--threads", "2000000"], "--threads must be from 1 to 256"),  // past --max-connections' own bound: no trap
        (["--idle-timeout", "-5"], "--idle-timeout must be from 0 to 31536000 seconds"),
        (["--clock-rate", "-1"], "--clock-rate must be from 0 (frozen) to 1e9"),
        (["--journal-size", "-1"], "--journal-size must be from 0 to 1000000"),
        (["--clock-start", "9999-12-31T23:59:59-23:59"], "within the years 1 to 9999"),
        (["--clock-start", "0000-01-01T00:00:00+00:01"], "within the years 1 to 9999"),
    ])
    func outOfRangeNumbersSayTheirRange(arguments: [String], message: String) {
        expectRefusal(arguments, saying: message)
    }

    @Test func clockStartsAtTheEdgesOfTheRange() throws {
        #expect(try MockBedrockCommand.parse(["--clock-start", "0001-01-01T00:00:00Z"]).clockStart?.timestamp.description == "0001-01-01T00:00:00Z")
        #expect(try MockBedrockCommand.parse(["--clock-start", "9999-12-31T23:59:59.999Z"]).clockStart?.timestamp.description == "9999-12-31T23:59:59.999Z")
    }

    /// A flag variable takes yes or no in a few spellings; anything else is refused, not ignored.
    @Test func flagVariablesRefuseWhatTheyDoNotUnderstand() throws {
        for value in ["1", "true", "YES", "on"] {
            #expect(try MockBedrockCommand.arguments(commandLine: []) { $0 == "MOCK_BEDROCK_NO_ADMIN" ? value : nil }.contains("--no-admin"))
        }
        for value in ["", "0", "false", "No", "off"] {
            #expect(try !MockBedrockCommand.arguments(commandLine: []) { $0 == "MOCK_BEDROCK_NO_ADMIN" ? value : nil }.contains("--no-admin"))
        }
        let maybe = #expect(throws: (any Error).self) { try MockBedrockCommand.arguments(commandLine: []) { $0 == "MOCK_BEDROCK_NO_ADMIN" ? "maybe" : nil } }
        #expect(
            maybe.map(MockBedrockCommand.message(for:))
                == "MOCK_BEDROCK_NO_ADMIN must be 1, true, yes or on to set --no-admin, or 0, false, no or off; not 'maybe'")
        let two = #expect(throws: (any Error).self) { try MockBedrockCommand.arguments(commandLine: []) { $0 == "MOCK_BEDROCK_VERIFY_SIGV4" ? "2" : nil } }
        #expect(two.map(MockBedrockCommand.message(for:))?.hasPrefix("MOCK_BEDROCK_VERIFY_SIGV4 must be") == true)
    }
}
