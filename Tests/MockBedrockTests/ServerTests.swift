import Fixtures
import MockBedrock
import Testing

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
        let server = try MockBedrockServer(fixtures: "/" + root + "/fixtures", configuration: .init(port: 0, threads: 1))
        defer { server.stop() }
        // then
        let health = try RawHTTPClient(port: server.port).send(.make("GET", "/_mock/health"))
        #expect(health.json?["jobs"]?.int64Value == Int64(server.service.store.count))
        #expect(server.service.store.count > 10)
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
