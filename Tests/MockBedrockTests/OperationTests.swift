import Foundation
import Fixtures
import MockBedrock
import Testing
import JSON
import ServiceModel

/// Create, List, Stop and tags through the service, without a socket.
@Suite struct OperationTests {
    let start = Timestamp(iso8601: "2026-03-01T10:00:00Z")!
    let realTime = ManualRealTime()

    private func service(_ jobs: [Job] = [], maxActiveJobs: Int? = nil) -> MockBedrockService {
        MockBedrockService(
            store: JobStore(jobs, clockStart: start, clockRate: 0, realTime: realTime.source),
            settings: ServiceSettings(maxActiveJobs: maxActiveJobs))
    }

    private func post(_ path: String, _ body: String, headers: [(name: String, value: String)] = []) -> HTTPRequest {
        HTTPRequest(method: "POST", path: path, headers: headers, body: Array(body.utf8))
    }

    static let createBody = #"""
        {"jobName": "nightly", "roleArn": "arn:aws:iam::123456789012:role/R", "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
         "clientRequestToken": "token-1", "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://in-bucket/x.jsonl"}},
         "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/"}}, "tags": [{"key": "team", "value": "ml"}]}
        """#

    private func create(_ service: MockBedrockService, _ body: String = createBody, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        service.respond(to: post("/model-invocation-job", body, headers: headers))
    }

    @Test func createsASubmittedJobOnTheClockInTheCallersScope() throws {
        // given
        let service = service()
        // when
        let created = create(service, headers: TestJobs.signed("210987654321", "eu-west-1"))
        // then
        #expect(created.status == 200)
        let arn = try #require(created.json?["jobArn"]?.stringValue)
        #expect(arn.hasPrefix("arn:aws:bedrock:eu-west-1:210987654321:model-invocation-job/"))
        let id = String(arn.suffix(12))
        #expect(id.allSatisfy { $0.isLowercase || $0.isNumber })
        let job = try #require(service.respond(to: .make("GET", "/model-invocation-job/\(id)", headers: TestJobs.signed("210987654321", "eu-west-1"))).json)
        #expect(job["status"] == .string("Submitted"))
        #expect(job["submitTime"] == .string("2026-03-01T10:00:00.000Z"))
        #expect(job["clientRequestToken"] == .string("token-1"))
        #expect(job["timeoutDurationInHours"] == .number("168"))
        #expect(service.respond(to: .make("GET", "/model-invocation-job/\(id)")).status == 404)  // another scope
    }

    @Test func createTakesOnlyItsOwnMembersAndRefusesAnInputItDoesNotServe() throws {
        // given: members a Get response has but a Create request does not (found by the fuzz replay)
        let service = service()
        let extra = Self.createBody.replacingOccurrences(
            of: #""jobName": "nightly","#, with: #""jobName": "nightly", "message": "set by the caller", "status": "Completed", "jobArn": "x","#)
        let future = Self.createBody.replacingOccurrences(of: #""s3InputDataConfig": {"s3Uri": "s3://in-bucket/x.jsonl"}"#, with: #""futureInputConfig": {"uri": "x"}"#)
        // when
        let created = create(service, extra)
        let refused = create(service, future.replacingOccurrences(of: "token-1", with: "token-2").replacingOccurrences(of: "nightly", with: "other"))
        // then
        let arn = try #require(created.json?["jobArn"]?.stringValue)
        let job = try #require(service.respond(to: .make("GET", "/model-invocation-job/\(arn.suffix(12))")).json)
        #expect(job["status"] == .string("Submitted"))
        #expect(job["message"] == nil)
        #expect(refused.status == 400)
        #expect(refused.header("x-amzn-ErrorType") == "ValidationException")
        // a retry that adds a member AWS does not know is still the same request
        let retry = create(service, Self.createBody.replacingOccurrences(of: #""jobName": "nightly","#, with: #""jobName": "nightly", "futureMember": 1,"#))
        #expect(retry.status == 200)
        #expect(retry.json?["jobArn"]?.stringValue == arn)
    }

    @Test func aRepeatedTokenReturnsTheSameJobAndOtherParametersConflict() throws {
        let service = service()
        let first = create(service).json?["jobArn"]
        let again = create(service).json?["jobArn"]
        #expect(first != nil && first == again)
        let reordered =
            #"{"clientRequestToken": "token-1", "tags": [{"value": "ml", "key": "team"}], "jobName": "nightly", "roleArn": "arn:aws:iam::123456789012:role/R", "modelId": "anthropic.claude-3-haiku-20240307-v1:0", "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/"}}, "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://in-bucket/x.jsonl"}}}"#
        #expect(create(service, reordered).json?["jobArn"] == first)
        let changed = create(service, Self.createBody.replacing("s3://out-bucket/", with: "s3://other-bucket/"))
        #expect(changed.status == 400)
        #expect(changed.header("x-amzn-ErrorType") == "ConflictException")
        let sameName = create(service, Self.createBody.replacing("token-1", with: "token-2"))
        #expect(sameName.header("x-amzn-ErrorType") == "ConflictException")
        #expect(sameName.json?["message"] == .string("A model invocation job named 'nightly' already exists."))
    }

    @Test func reportsEveryConstraintViolationOfCreateAtOnce() {
        let body =
            #"{"jobName": "bad name", "roleArn": "arn:aws:iam::123456789012:role/R", "modelId": "a.bc", "timeoutDurationInHours": 12, "vpcConfig": {"subnetIds": ["ok", "not_ok"], "securityGroupIds": ["sg-1"]}, "inputDataConfig": {}, "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/"}}}"#
        let response = create(service(), body)
        #expect(response.status == 400)
        #expect(response.header("x-amzn-ErrorType") == "ValidationException")
        #expect(
            response.json?["message"]
                == .string(
                    "4 validation errors detected: "
                        + "Value 'bad name' at 'jobName' failed to satisfy constraint: Member must satisfy regular expression pattern: \(ServiceModel.shape("ModelInvocationJobName").pattern!); "
                        + "Value '12' at 'timeoutDurationInHours' failed to satisfy constraint: Member must have value greater than or equal to 24; "
                        + "Value 'not_ok' at 'vpcConfig.subnetIds.2.member' failed to satisfy constraint: Member must satisfy regular expression pattern: [-0-9a-zA-Z]+; "
                        + "Value '{}' at 'inputDataConfig' failed to satisfy constraint: Member must have exactly one of [s3InputDataConfig] set"))
    }

    @Test(arguments: [
        ("{not json", "Could not read the request body as JSON: line 1, column 2: expected a member name in double quotes"),
        ("[]", "The request body must be a JSON object, not an array."),
        (#"{"jobName": 7}"#, "jobName: expected a string, found a number"),
    ])
    func answersSerializationExceptionForABodyItCannotRead(body: String, message: String) {
        let response = create(service(), body)
        #expect(response.status == 400)
        #expect(response.header("x-amzn-ErrorType") == "SerializationException")
        #expect(response.json?["message"] == .string(message))
    }

    @Test func refusesCreatesPastTheActiveJobQuota() {
        let service = service(maxActiveJobs: 1)
        #expect(create(service).status == 200)
        let second = create(service, Self.createBody.replacing("token-1", with: "token-2").replacing("nightly", with: "weekly"))
        #expect(second.header("x-amzn-ErrorType") == "ServiceQuotaExceededException")
    }

    @Test func listsNewestFirstAPageAtATimeWithASignedToken() throws {
        // given: five jobs a minute apart
        let jobs = (0..<5).map { index -> Job in
            var record = TestJobs.completed
            record.jobArn = "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/00000000000\(index)"
            record.jobName = "job-\(index)"
            record.submitTime = Timestamp(milliseconds: start.milliseconds - Int64(index) * 60_000)
            return Job(record: record)
        }
        let service = service(jobs)
        // when
        let first = try #require(service.respond(to: HTTPRequest(path: "/model-invocation-jobs", query: [("maxResults", "2")])).json)
        let firstNames = Self.names(first)
        let token = try #require(first["nextToken"]?.stringValue)
        let second = try #require(service.respond(to: HTTPRequest(path: "/model-invocation-jobs", query: [("maxResults", "2"), ("nextToken", token)])).json)
        let third = try #require(
            service.respond(to: HTTPRequest(path: "/model-invocation-jobs", query: [("maxResults", "2"), ("nextToken", second["nextToken"]!.stringValue!)])).json)
        // then
        #expect(firstNames == ["job-0", "job-1"])
        #expect(Self.names(second) == ["job-2", "job-3"])
        #expect(Self.names(third) == ["job-4"])
        #expect(third["nextToken"] == nil)
        let ascending = try #require(service.respond(to: HTTPRequest(path: "/model-invocation-jobs", query: [("sortOrder", "Ascending")])).json)
        #expect(Self.names(ascending) == ["job-4", "job-3", "job-2", "job-1", "job-0"])
        // a token of another listing, or a forged one, is refused
        for query in [[("nextToken", token), ("sortOrder", "Ascending")], [("nextToken", "00ff")], [("nextToken", token + "0")]] {
            let refused = service.respond(to: HTTPRequest(path: "/model-invocation-jobs", query: query))
            #expect(refused.status == 400)
            #expect(refused.header("x-amzn-ErrorType") == "ValidationException")
        }
    }

    @Test func filtersByStatusNameAndSubmitTime() throws {
        let service = service([Job(record: TestJobs.completed)])
        func names(_ query: [(name: String, value: String)]) -> [String] {
            Self.names(service.respond(to: HTTPRequest(path: "/model-invocation-jobs", query: query)).json ?? .null)
        }
        #expect(names([("statusEquals", "Completed")]) == ["nightly-summaries"])
        #expect(names([("statusEquals", "Failed")]) == [])
        #expect(names([("nameContains", "SUMMAR")]) == ["nightly-summaries"])
        #expect(names([("submitTimeAfter", "2026-03-01T10:00:00.123Z")]) == [])
        #expect(names([("submitTimeAfter", "2026-03-01T10:00:00.122999Z")]) == ["nightly-summaries"])
        #expect(names([("submitTimeBefore", "2026-03-01T10:00:01Z")]) == ["nightly-summaries"])
    }

    @Test func refusesBadListParametersInAWSWords() {
        let response = service().respond(
            to: HTTPRequest(path: "/model-invocation-jobs", query: [("maxResults", "5000"), ("statusEquals", "Nope"), ("submitTimeAfter", "yesterday")]))
        #expect(response.status == 400)
        #expect(
            response.json?["message"]
                == .string(
                    "3 validation errors detected: Value 'yesterday' at 'submitTimeAfter' failed to satisfy constraint: Member must be a timestamp in ISO 8601 format; "
                        + "Value 'Nope' at 'statusEquals' failed to satisfy constraint: Member must satisfy enum value set: "
                        + "[Submitted, InProgress, Completed, Failed, Stopping, Stopped, PartiallyCompleted, Expired, Validating, Scheduled]; "
                        + "Value '5000' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000"))
    }

    @Test func stopsAnUnfinishedJobAndRefusesAFinishedOne() throws {
        // given
        var running = TestJobs.completed
        running.status = .inProgress
        running.endTime = nil
        let service = service([Job(record: running)])
        let path = "/model-invocation-job/\(TestJobs.completedId)"
        // when / then
        #expect(service.respond(to: post(path + "/stop", "")).text == "{}")
        #expect(service.respond(to: .make("GET", path)).json?["status"] == .string("Stopping"))
        #expect(service.respond(to: post(path + "/stop", "")).text == "{}")
        _ = service.respond(to: post("/_mock/clock", #"{"advance": "1m"}"#))
        let stopped = try #require(service.respond(to: .make("GET", path)).json)
        #expect(stopped["status"] == .string("Stopped"))
        #expect(stopped["endTime"] == .string("2026-03-01T10:01:00.000Z"))
        #expect(stopped["processedRecordCount"] == .number("10"))
        let again = service.respond(to: post(path + "/stop", ""))
        #expect(again.header("x-amzn-ErrorType") == "ConflictException")
        #expect(again.json?["message"] == .string("The job is Stopped and can no longer be stopped."))
    }

    @Test func tagsUpToFiftyAndNamesTheResourcePastThem() throws {
        let service = service([Job(record: TestJobs.completed)])
        func body(_ tags: [(String, String)]) -> String {
            #"{"resourceARN": "\#(TestJobs.completedArn)", "tags": ["# + tags.map { #"{"key": "\#($0.0)", "value": "\#($0.1)"}"# }.joined(separator: ", ") + "]}"
        }
        #expect(service.respond(to: post("/tagResource", body([("a", "1"), ("b", "2")]))).status == 200)
        #expect(service.respond(to: post("/tagResource", body([("a", "3")]))).status == 200)
        #expect(
            service.respond(to: post("/listTagsForResource", #"{"resourceARN": "\#(TestJobs.completedArn)"}"#)).text
                == #"{"tags":[{"key":"a","value":"3"},{"key":"b","value":"2"}]}"#)
        let tooMany = service.respond(to: post("/tagResource", body((0..<49).map { ("k\($0)", "v") })))
        #expect(tooMany.status == 400)
        #expect(tooMany.header("x-amzn-ErrorType") == "TooManyTagsException")
        #expect(tooMany.json?["resourceName"] == .string(TestJobs.completedArn))
        #expect(service.respond(to: post("/untagResource", #"{"resourceARN": "\#(TestJobs.completedArn)", "tagKeys": ["a", "zz"]}"#)).status == 200)
        #expect(service.respond(to: post("/listTagsForResource", #"{"resourceARN": "\#(TestJobs.completedArn)"}"#)).text == #"{"tags":[{"key":"b","value":"2"}]}"#)
        let elsewhere = service.respond(to: post("/listTagsForResource", #"{"resourceARN": "\#(TestJobs.euArn)"}"#))
        #expect(elsewhere.status == 404)
    }

    static func names(_ page: JSONValue) -> [String] {
        guard case .array(let summaries)? = page["invocationJobSummaries"] else { return [] }
        return summaries.compactMap { $0["jobName"]?.stringValue }
    }
}
