import Fixtures
import MockBedrock
import Testing
import JSON

@Suite struct RoutingTests {
    let service = TestJobs.service()

    @Test(arguments: Transport.allCases)
    func answersAnUnknownPathWithANonRetryable404NamingMethodAndPath(transport: Transport) throws {
        let response = try transport.send(.make("GET", "/model-invocation-jobz"), to: service)
        #expect(response.status == 404)
        #expect(response.header("x-amzn-ErrorType") == "UnknownOperationException")
        #expect(response.json?["message"] == .string("No operation matches GET /model-invocation-jobz"))
        #expect(response.header("x-amzn-RequestId") != nil)
    }

    @Test(arguments: Transport.allCases)
    func answersAnotherMethodOnAKnownPathWith405(transport: Transport) throws {
        let response = try transport.send(.make("DELETE", "/model-invocation-job/a1b2c3d4e5f6"), to: service)
        #expect(response.status == 405)
        #expect(response.header("x-amzn-ErrorType") == "MethodNotAllowedException")
        #expect(response.header("Allow") == "GET")
        #expect(response.json?["message"] == .string("DELETE is not allowed on /model-invocation-job/a1b2c3d4e5f6; allowed: GET"))
    }

    /// HEAD answers GET's head without its body: the GET after it on the same connection reads whole,
    /// which it would not if the HEAD had sent a body.
    @Test func answersHeadWhereverGetIsServed() throws {
        let path = "/model-invocation-job/\(TestJobs.completedId)"
        let responses = try Transport.live.send([.make("HEAD", path), .make("GET", path)], to: service)
        #expect(responses[0].status == 200)
        #expect(responses[0].header("Content-Type") == "application/json")
        #expect(responses[0].body.isEmpty)
        #expect(responses[0].header("Content-Length") == String(responses[1].body.count))
        #expect(responses[1].json?["jobArn"] == .string(TestJobs.completedArn))
    }

    @Test(arguments: [
        "/model-invocation-job/a1b2c3d4e5f6/extra", "/model-invocation-job/a1b2c3d4e5f6/stop/x", "/", "/_mock", "/_mock/health/x",
        "/model-invocation-job/arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/a1b2c3d4e5f6",
    ])
    func matchesALabelToExactlyOneRawSegment(path: String) {
        // An unencoded '/' inside an ARN makes another segment: no route has that shape.
        let response = service.respond(to: .make("GET", path))
        #expect(response.status == 404)
        #expect(response.header("x-amzn-ErrorType") == "UnknownOperationException")
    }

    @Test(arguments: Transport.allCases)
    func reportsHealthWithTheJobCount(transport: Transport) throws {
        let response = try transport.send(.make("GET", "/_mock/health"), to: service)
        #expect(response.status == 200)
        #expect(response.text == #"{"status":"ok","jobs":2}"#)
    }

    @Test func takesStatusesOfModelErrorsFromTheServiceModel() {
        #expect(AWSError("ThrottlingException", "slow down").status == 429)
        #expect(AWSError("AccessDeniedException", "no").status == 403)
        #expect(AWSError("InternalServerException", "oops").status == 500)
        #expect(AWSError("ServiceUnavailableException", "later").status == 503)
        #expect(AWSError("ConflictException", "no").status == 400)
    }

    @Test func encodesExtraErrorMembersAndEscapesTheMessage() {
        // given
        let error = AWSError("TooManyTagsException", #"too "many" tags"#, members: [JSONMember("resourceName", .string(TestJobs.completedArn))])
        // when
        let response = error.response(requestId: "req-1")
        // then
        #expect(response.status == 400)
        #expect(response.text == #"{"message":"too \"many\" tags","resourceName":"\#(TestJobs.completedArn)"}"#)
        #expect(response.headers.map(\.name) == ["Content-Type", "x-amzn-ErrorType", "x-amzn-RequestId"])
    }
}
