import MockBedrock
import Testing

@testable import mock_bedrock

@Suite struct ExposureOptionTests {
    @Test func warnsOnceAboutAnOpenAdminAPIBeyondLoopbackOnly() {
        #expect(ServerConfiguration(host: "0.0.0.0", service: ServiceSettings(admin: .open)).exposureWarning?.contains("--admin-token") == true)
        #expect(ServerConfiguration(host: "::", service: ServiceSettings(admin: .open)).exposureWarning != nil)
        #expect(ServerConfiguration(host: "192.168.1.20", service: ServiceSettings(admin: .open)).exposureWarning != nil)
        for host in ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"] {
            #expect(ServerConfiguration(host: host, service: ServiceSettings(admin: .open)).exposureWarning == nil, "\(host)")
        }
        #expect(ServerConfiguration(host: "0.0.0.0", service: ServiceSettings(admin: .token("t"))).exposureWarning == nil)
        #expect(ServerConfiguration(host: "0.0.0.0", service: ServiceSettings(admin: .off)).exposureWarning == nil)
    }

    @Test func adminOptionsAndTheirVariables() throws {
        #expect(try MockBedrockCommand.parse([]).adminAccess == .open)
        #expect(try MockBedrockCommand.parse(["--no-admin"]).adminAccess == .off)
        #expect(try MockBedrockCommand.parse(["--admin-token", "t0k"]).adminAccess == .token("t0k"))
        let environment = [
            "MOCK_BEDROCK_NO_ADMIN": "1", "MOCK_BEDROCK_VERIFY_SIGV4": "true", "MOCK_BEDROCK_CREDENTIALS": "AKIA1:s1,AKIA2:s2",
            "MOCK_BEDROCK_DENY_ACCESS_KEYS": "AKIA2", "MOCK_BEDROCK_IDLE_TIMEOUT": "5", "MOCK_BEDROCK_MAX_BODY_BYTES": "2048",
            "MOCK_BEDROCK_MAX_CONNECTIONS": "16",
        ]
        let arguments = try MockBedrockCommand.arguments(commandLine: []) { environment[$0] }
        let command = try MockBedrockCommand.parse(Array(arguments.dropFirst()))
        #expect(command.adminAccess == .off)
        #expect(command.verifySigv4)
        #expect(command.credentials.map(\.accessKeyId) == ["AKIA1", "AKIA2"])
        #expect(command.credentials.map(\.secret) == ["s1", "s2"])
        #expect(command.deniedAccessKeys == ["AKIA2"])
        #expect(command.idleTimeout == 5 && command.maxBodyBytes == 2048 && command.maxConnections == 16)
    }

    /// Each refusal names its own reason (not just any parse error).
    @Test(arguments: [
        (["--no-admin", "--admin-token", "t"], "--no-admin and --admin-token exclude each other"),
        (["--admin-token", ""], "--admin-token must not be empty"),
        (["--verify-sigv4"], "--verify-sigv4 needs at least one --credentials KEY:SECRET"),
        (["--credentials", "AKIA1:s"], "--credentials and --deny-access-key only count with --verify-sigv4"),
        (["--credentials", "no-colon", "--verify-sigv4"], "The value 'no-colon' is invalid for '--credentials"),
        (["--verify-sigv4", "--credentials", "AKIA1:s", "--deny-access-key", "AKIA9"], "--deny-access-key AKIA9 is not among the --credentials"),
        (["--max-body-bytes", "10"], "--max-body-bytes must be from 1024 to 1073741824"),
        (["--idle-timeout", "-1"], "--idle-timeout must be from 0 to 31536000 seconds"),
        (["--max-connections", "1", "--threads", "2"], "--max-connections must be from the number of threads to 1000000"),
    ])
    func refusesContradictoryOrIncompleteExposureOptions(arguments: [String], message: String) {
        expectRefusal(arguments, saying: message)
    }
}
