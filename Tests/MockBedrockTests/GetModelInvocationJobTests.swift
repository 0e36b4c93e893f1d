import Fixtures
import MockBedrock
import Testing
import ServiceModel

@Suite struct GetModelInvocationJobTests {
    let service = TestJobs.service()
    let pattern = ServiceModel.shape("ModelInvocationJobIdentifier").pattern!

    @Test(arguments: Transport.allCases)
    func servesTheJobByIdWithEveryMemberItHas(transport: Transport) throws {
        // when
        let response = try transport.send(.make("GET", "/model-invocation-job/\(TestJobs.completedId)"), to: service)
        // then
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json")
        #expect(
            response.text == #"{"jobArn":"\#(TestJobs.completedArn)","jobName":"nightly-summaries","#
                + #""modelId":"anthropic.claude-3-haiku-20240307-v1:0","roleArn":"arn:aws:iam::123456789012:role/BedrockBatchRole","#
                + #""status":"Completed","submitTime":"2026-03-01T10:00:00.123Z","endTime":"2026-03-01T12:00:00Z","#
                + #""inputDataConfig":{"s3InputDataConfig":{"s3Uri":"s3://in-bucket/input/"}},"#
                + #""outputDataConfig":{"s3OutputDataConfig":{"s3Uri":"s3://out-bucket/output/"}},"#
                + #""totalRecordCount":10,"processedRecordCount":10,"successRecordCount":10,"errorRecordCount":0}"#)
    }

    @Test(arguments: Transport.allCases)
    func servesTheJobByItsPercentEncodedArn(transport: Transport) throws {
        // given: botocore quotes the label with safe='-._~', so ':' and '/' arrive encoded
        let encoded = TestJobs.euArn.replacing(":", with: "%3A").replacing("/", with: "%2F")
        // when: a caller in the job's account and region
        let response = try transport.send(.make("GET", "/model-invocation-job/\(encoded)", headers: TestJobs.signed("210987654321", "eu-west-1")), to: service)
        // then
        #expect(response.status == 200)
        #expect(response.json?["jobArn"] == .string(TestJobs.euArn))
    }

    @Test(arguments: Transport.allCases)
    func givesEveryAnswerItsOwnRequestId(transport: Transport) throws {
        // when
        let responses = try transport.send(
            [.make("GET", "/model-invocation-job/\(TestJobs.completedId)"), .make("GET", "/model-invocation-job/abcdefghijkl")], to: service)
        // then
        let ids = responses.compactMap { $0.header("x-amzn-RequestId") }
        #expect(ids.count == 2)
        #expect(Set(ids).count == 2)
        for id in ids {
            #expect(id.count == 36)
            #expect(id.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12])
            #expect(Array(id)[14] == "4")
            #expect(id == id.lowercased())
        }
    }

    @Test(arguments: Transport.allCases)
    func answersResourceNotFoundForAnUnknownJob(transport: Transport) throws {
        let response = try transport.send(.make("GET", "/model-invocation-job/abcdefghijkl"), to: service)
        #expect(response.status == 404)
        #expect(response.header("x-amzn-ErrorType") == "ResourceNotFoundException")
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.text == #"{"message":"Could not find the model invocation job 'abcdefghijkl'."}"#)
    }

    @Test(arguments: [
        "arn:aws:bedrock:us-west-2:210987654321:model-invocation-job/e1e2e3e4e5e6",
        "arn:aws:bedrock:eu-west-1:123456789012:model-invocation-job/e1e2e3e4e5e6",
        "arn:aws-cn:bedrock:eu-west-1:210987654321:model-invocation-job/e1e2e3e4e5e6",
    ])
    func doesNotFindAJobThroughAnotherRegionsOrAccountsArn(arn: String) throws {
        let encoded = arn.replacing(":", with: "%3A").replacing("/", with: "%2F")
        let response = try Transport.direct.send(
            .make("GET", "/model-invocation-job/\(encoded)", headers: TestJobs.signed("210987654321", "eu-west-1")), to: service)
        #expect(response.status == 404)
        #expect(response.header("x-amzn-ErrorType") == "ResourceNotFoundException")
    }

    @Test(arguments: [
        [("authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260301/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=x")],
        TestJobs.signed("210987654321", "us-east-1"),
        TestJobs.signed("123456789012", "eu-west-1"),
    ])
    func findsAJobOnlyInItsOwnAccountAndRegion(headers: [(name: String, value: String)]) throws {
        // the default account and region see the us-east-1 job, not the eu-west-1 one
        let us = service.respond(to: .make("GET", "/model-invocation-job/\(TestJobs.completedId)", headers: headers))
        let eu = service.respond(to: .make("GET", "/model-invocation-job/\(TestJobs.euId)", headers: headers))
        let inDefaultScope = headers.first?.value.contains("AKIDEXAMPLE") == true
        #expect(us.status == (inDefaultScope ? 200 : 404))
        #expect(eu.status == 404)
        #expect(service.respond(to: .make("GET", "/model-invocation-job/\(TestJobs.euId)", headers: TestJobs.signed("210987654321", "eu-west-1"))).status == 200)
    }

    @Test(arguments: [
        ("ABCDEFGHIJKL", "ABCDEFGHIJKL"),
        ("my-job-name", "my-job-name"),
        ("abcdefghijklm", "abcdefghijklm"),
        ("", ""),
        (
            "arn%3Aaws%3Abedrock%3Aus-east-1%3A12345678901%3Amodel-invocation-job%2Fa1b2c3d4e5f6",
            "arn:aws:bedrock:us-east-1:12345678901:model-invocation-job/a1b2c3d4e5f6"
        ),
        ("bad%zzescape", "bad%zzescape"),
    ])
    func answersAWSValidationMessageForAnIdentifierThatBreaksThePattern(rawSegment: String, decoded: String) throws {
        // when
        let response = try Transport.direct.send(.make("GET", "/model-invocation-job/\(rawSegment)"), to: service)
        // then
        #expect(response.status == 400)
        #expect(response.header("x-amzn-ErrorType") == "ValidationException")
        #expect(
            response.json?["message"]
                == .string(
                    "1 validation error detected: Value '\(decoded)' at 'jobIdentifier' failed to satisfy constraint: "
                        + "Member must satisfy regular expression pattern: \(pattern)"))
    }

    @Test func reportsLengthAndPatternForAnOverlongIdentifier() throws {
        let long = String(repeating: "a", count: 1012)
        let response = try Transport.direct.send(.make("GET", "/model-invocation-job/\(long)"), to: service)
        #expect(response.status == 400)
        #expect(
            response.json?["message"]
                == .string(
                    "2 validation errors detected: "
                        + "Value '\(long)' at 'jobIdentifier' failed to satisfy constraint: Member must have length less than or equal to 1011; "
                        + "Value '\(long)' at 'jobIdentifier' failed to satisfy constraint: Member must satisfy regular expression pattern: \(pattern)"))
    }
}
