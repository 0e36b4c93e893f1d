import Fixtures
import Testing

@testable import MockBedrock

/// The request path trimmed for speed (bench/REPORT.md) still hands the service everything it reads.
@Suite struct RequestPathTests {
    @Test func readsOnlyTheHeaderFieldsTheServiceUses() {
        func isRead(_ name: String) -> Bool {
            var name = name
            return name.withUTF8 { HTTPRequest.isRead($0) }
        }
        // x-amz-date: the credential scope's date must be the request's day.
        for name in ["authorization", "x-amz-date", "amz-sdk-request", "amz-sdk-invocation-id", "x-mock-error", "x-mock-delay-ms", "x-mock-admin-token"] {
            #expect(isRead(name), "\(name)")
        }
        for name in ["host", "accept", "user-agent", "x-amz-target", "content-type", "amz-sdk", "authorizatio", "authorization2", "x-mock"] {
            #expect(!isRead(name), "\(name)")
        }
    }

    @Test func lowerCasesHeaderNamesOnTheWireBeforeChoosing() throws {
        // given: field names in the case clients write them
        let service = TestJobs.service()
        let requests: [HTTPRequest] = [
            .make("GET", "/model-invocation-job/\(TestJobs.completedId)", headers: [("X-Mock-Error", "ThrottlingException")]),
            .make(
                "GET", "/model-invocation-job/\(TestJobs.completedId)",
                headers: [
                    ("Amz-Sdk-Invocation-Id", "3b1f0d4e-0000-4000-8000-000000000001"), ("AMZ-SDK-REQUEST", "attempt=2; max=5"),
                    ("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260301/eu-west-1/bedrock/aws4_request, SignedHeaders=host, Signature=00"),
                    ("X-Amz-Date", "20260301T000000Z"),
                ]),
        ]
        // when
        let responses = try Transport.live.send(requests, to: service)
        // then
        #expect(responses[0].status == 429)
        #expect(responses[1].status == 404)  // the completed job is in us-east-1; the signature's scope says eu-west-1
        let entry = try #require(service.journal.entries.last)
        #expect(entry.invocationId == "3b1f0d4e-0000-4000-8000-000000000001")
        #expect(entry.attempt == 2 && entry.maxAttempts == 5)
    }

    @Test func dropsHeaderFieldsWithVeryLongNamesWithoutFailingTheRequest() throws {
        let service = TestJobs.service()
        let long = String(repeating: "x", count: 5000)
        let response = try Transport.live.send(.make("GET", "/model-invocation-job/\(TestJobs.completedId)", headers: [(long, "1")]), to: service)
        #expect(response.status == 200)
    }

    @Test(arguments: Transport.allCases)
    func routesEmptyAndEncodedLabels(transport: Transport) throws {
        let service = TestJobs.service()
        let arn = "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Amodel-invocation-job%2F\(TestJobs.completedId)"
        let responses = try transport.send(
            [
                .make("GET", "/model-invocation-job/\(arn)"),
                .make("GET", "/model-invocation-job/"),
                .make("POST", "/model-invocation-job/\(TestJobs.completedId)/stop"),
                .make("DELETE", "/_mock/faults/fault-9"),
                .make("GET", "/model-invocation-jobs/"),
            ], to: service)
        #expect(responses.map(\.status) == [200, 400, 400, 404, 404])
        #expect(responses[1].header("x-amzn-ErrorType") == "ValidationException")
        #expect(responses[2].header("x-amzn-ErrorType") == "ConflictException")  // a completed job cannot be stopped
        #expect(responses[3].text.contains("fault-9"))
    }
}
