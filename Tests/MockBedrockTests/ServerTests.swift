import Fixtures
import MockBedrock
import Testing
import ServiceModel

@Suite struct ServerTests {
    @Test func bindsAFreePortAndKeepsTheConnectionOpenAcrossRequests() throws {
        // given
        let server = try MockBedrockServer(service: TestJobs.service(), configuration: .init(port: 0, threads: 2))
        defer { server.stop() }
        #expect(server.port != 0)
        #expect(server.endpoint == "http://127.0.0.1:\(server.port)")
        let client = try RawHTTPClient(port: server.port)
        // when: several requests, answers and errors, on one connection
        var statuses: [Int] = []
        for path in ["/_mock/health", "/model-invocation-job/\(TestJobs.completedId)", "/model-invocation-job/abcdefghijkl", "/nope"] {
            statuses.append(try client.send(.make("GET", path)).status)
        }
        // then
        #expect(statuses == [200, 200, 404, 404])
        #expect(!client.isClosedByServer())
    }

    @Test func startsFromAFixtureDirectory() throws {
        // given
        let root = String(#filePath.split(separator: "/").dropLast(3).joined(separator: "/"))
        // when
        let server = try MockBedrockServer(configuration: ServerConfiguration(port: 0, threads: 1, fixtures: "/" + root + "/fixtures"))
        defer { server.stop() }
        // then
        let health = try RawHTTPClient(port: server.port).send(.make("GET", "/_mock/health"))
        #expect(health.json?["jobs"]?.int64Value == Int64(server.service.store.count))
        #expect(server.service.store.count > 10)
    }

    /// The one configuration carries every setting to the server it starts: listening, the clock,
    /// the journal, and the service's settings.
    @Test func oneConfigurationSetsEverything() throws {
        let root = String(#filePath.split(separator: "/").dropLast(3).joined(separator: "/"))
        let configuration = ServerConfiguration(
            port: 0, threads: 1, maxConnections: 8, fixtures: "/" + root + "/fixtures",
            clockStart: Timestamp(iso8601: "2026-03-01T10:00:00Z"), clockRate: 0, journalSize: 0,
            service: ServiceSettings(region: "eu-west-1", admin: .off))
        #expect(configuration.problems.isEmpty)
        let server = try MockBedrockServer(configuration: configuration)
        defer { server.stop() }
        #expect(server.service.store.clock().now.description == "2026-03-01T10:00:00.000Z")
        #expect(server.service.store.clock().rate == 0)
        #expect(server.service.journal.capacity == 0)
        #expect(server.service.settings.region == "eu-west-1")
        let admin = try RawHTTPClient(port: server.port).send(.make("GET", "/_mock/clock"))
        #expect(admin.status == 404)  // --no-admin
        #expect(ServerConfiguration(threads: 0).problems == ["--threads must be from 1 to 256"])
    }

    @Test func refusesAPortInUseWithATypedError() throws {
        let first = try MockBedrockServer(service: TestJobs.service(), configuration: .init(port: 0, threads: 1))
        defer { first.stop() }
        #expect(throws: ServerError.self) {
            _ = try MockBedrockServer(service: TestJobs.service(), configuration: .init(port: first.port, threads: 1))
        }
    }

    @Test func stopsIdempotentlyAndClosesThePort() throws {
        let server = try MockBedrockServer(service: TestJobs.service(), configuration: .init(port: 0, threads: 1))
        let port = server.port
        server.stop()
        server.stop()
        #expect(throws: POSIXFailure.self) { _ = try RawHTTPClient(port: port) }
    }

    @Test func rejectsAHostItCannotResolve() {
        #expect(throws: ServerError.self) {
            _ = try MockBedrockServer(service: TestJobs.service(), configuration: .init(host: "no-such-host.invalid", port: 0))
        }
    }
}
