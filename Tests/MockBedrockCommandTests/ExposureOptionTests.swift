import MockBedrock
import Testing

@testable import mock_bedrock

@Suite struct ExposureOptionTests {
    @Test func warnsOnceAboutAnOpenAdminAPIBeyondLoopbackOnly() {
        #expect(MockBedrockCommand.exposureWarning(host: "0.0.0.0", admin: .open)?.contains("--admin-token") == true)
        #expect(MockBedrockCommand.exposureWarning(host: "::", admin: .open) != nil)
        #expect(MockBedrockCommand.exposureWarning(host: "192.168.1.20", admin: .open) != nil)
        for host in ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"] {
            #expect(MockBedrockCommand.exposureWarning(host: host, admin: .open) == nil, "\(host)")
        }
        #expect(MockBedrockCommand.exposureWarning(host: "0.0.0.0", admin: .token("t")) == nil)
        #expect(MockBedrockCommand.exposureWarning(host: "0.0.0.0", admin: .off) == nil)
    }

    @Test func adminOptionsAndTheirVariables() throws {
        #expect(try MockBedrockCommand.parse([]).adminAccess == .open)
        #expect(try MockBedrockCommand.parse(["--no-admin"]).adminAccess == .off)
        #expect(try MockBedrockCommand.parse(["--admin-token", "t0k"]).adminAccess == .token("t0k"))
        let environment = ["MOCK_BEDROCK_NO_ADMIN": "1", "MOCK_BEDROCK_VERIFY_SIGV4": "true", "MOCK_BEDROCK_CREDENTIALS": "AKIA1:s1,AKIA2:s2",
                           "MOCK_BEDROCK_DENY_ACCESS_KEYS": "AKIA2", "MOCK_BEDROCK_IDLE_TIMEOUT": "5", "MOCK_BEDROCK_MAX_BODY_BYTES": "2048",
                           "MOCK_BEDROCK_MAX_CONNECTIONS": "16"]
        let arguments = try MockBedrockCommand.arguments(commandLine: []) { environment[$0] }
        let command = try MockBedrockCommand.parse(Array(arguments.dropFirst()))
        #expect(command.adminAccess == .off)
        #expect(command.verifySigv4)
        #expect(command.credentials.map(\.accessKeyId) == ["AKIA1", "AKIA2"])
        #expect(command.credentials.map(\.secret) == ["s1", "s2"])
        #expect(command.deniedAccessKeys == ["AKIA2"])
        #expect(command.idleTimeout == 5 && command.maxBodyBytes == 2048 && command.maxConnections == 16)
    }

    @Test func refusesContradictoryOrIncompleteExposureOptions() {
        #expect(throws: (any Error).self) { try MockBedrockCommand.parse(["--no-admin", "--admin-token", "t"]) }
        #expect(throws: (any Error).self) { try MockBedrockCommand.parse(["--admin-token", ""]) }
        #expect(throws: (any Error).self) { try MockBedrockCommand.parse(["--verify-sigv4"]) }
        #expect(throws: (any Error).self) { try MockBedrockCommand.parse(["--credentials", "AKIA1:s"]) }
        #expect(throws: (any Error).self) { try MockBedrockCommand.parse(["--credentials", "no-colon", "--verify-sigv4"]) }
        #expect(throws: (any Error).self) { try MockBedrockCommand.parse(["--verify-sigv4", "--credentials", "AKIA1:s", "--deny-access-key", "AKIA9"]) }
        #expect(throws: (any Error).self) { try MockBedrockCommand.parse(["--max-body-bytes", "10"]) }
        #expect(throws: (any Error).self) { try MockBedrockCommand.parse(["--idle-timeout", "-1"]) }
        #expect(throws: (any Error).self) { try MockBedrockCommand.parse(["--max-connections", "1", "--threads", "2"]) }
    }
}
