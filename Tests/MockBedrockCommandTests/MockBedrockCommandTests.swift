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
        let arguments = MockBedrockCommand.arguments(commandLine: ["--port", "0"]) { environment[$0] }
        #expect(arguments.first == "serve")
        let command = try MockBedrockCommand.parse(Array(arguments.dropFirst()))
        // then
        #expect(command.port == 0)
        #expect(command.fixtures == "/data")
        #expect(command.logLevel == .warning)
        #expect(command.host == "127.0.0.1")
    }

    @Test func healthTakesHostAndPortFromTheEnvironment() throws {
        let arguments = MockBedrockCommand.arguments(commandLine: ["health", "--timeout", "5"]) { ["MOCK_BEDROCK_PORT": "7000", "MOCK_BEDROCK_HOST": "0.0.0.0"][$0] }
        #expect(arguments == ["health", "--host", "0.0.0.0", "--port", "7000", "--timeout", "5"])
        let health = try HealthCommand.parse(Array(arguments.dropFirst()))
        #expect(health.port == 7000 && health.timeout == 5)
    }

    @Test func rejectsInvalidValues() {
        #expect(throws: (any Error).self) { try MockBedrockCommand.parse(["--port", "70000"]) }
        #expect(throws: (any Error).self) { try MockBedrockCommand.parse(["--threads", "0"]) }
        #expect(throws: (any Error).self) { try MockBedrockCommand.parse(["--log-level", "loud"]) }
    }
}
