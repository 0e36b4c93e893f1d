import Fixtures
import Testing

@testable import MockBedrock
import JSON
import ServiceModel

@Suite struct FaultTests {
    private func rule(_ json: String, id: String = "fault-1") throws -> FaultRule {
        FaultRule(id: id, spec: try FaultRuleSpec.decode(JSONParser.parse(json)).get())
    }

    private func context(_ operation: String = "GetModelInvocationJob", id: String? = "a1b2c3d4e5f6", status: JobStatus? = .inProgress) -> FaultContext {
        FaultContext(
            operation: operation, identifier: id, jobId: id,
            jobArn: { id.map { "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/\($0)" } }, status: { status })
    }

    @Test func firesPastAfterAndWithinTimes() throws {
        var rule = try rule(#"{"error": "ThrottlingException", "after": 2, "times": 3}"#)
        let fired = (0..<8).map { _ in rule.fires() }
        #expect(fired == [false, false, true, true, true, false, false, false])
        #expect(rule.fired == 3)
        #expect(rule.matched == 8)
    }

    @Test func aSeededProbabilityRepeatsItsSequence() throws {
        var first = try rule(#"{"error": "InternalServerException", "probability": 0.3, "seed": 99}"#)
        var second = try rule(#"{"error": "InternalServerException", "probability": 0.3, "seed": 99}"#)
        let a = (0..<200).map { _ in first.fires() }
        let b = (0..<200).map { _ in second.fires() }
        #expect(a == b)
        #expect((40...80).contains(a.filter { $0 }.count))
    }

    @Test func delayRangesStayInRangeAndRepeatWithTheSeed() throws {
        var first = try rule(#"{"delayMs": [100, 110], "seed": 5}"#)
        var second = try rule(#"{"delayMs": [100, 110], "seed": 5}"#)
        let delays = (0..<50).map { _ in first.delayMilliseconds() }
        #expect(delays.allSatisfy { (100...110).contains($0) })
        #expect(delays == (0..<50).map { _ in second.delayMilliseconds() })
        #expect(Set(delays).count > 3)
    }

    @Test func matchesOperationJobGlobsAndStatus() throws {
        #expect(try rule(#"{"error": "ThrottlingException", "operation": "GetModelInvocationJob"}"#).matches(context()))
        #expect(try !rule(#"{"error": "ThrottlingException", "operation": "StopModelInvocationJob"}"#).matches(context()))
        #expect(try rule(#"{"error": "ThrottlingException", "jobId": "a1b2*"}"#).matches(context()))
        #expect(try rule(#"{"error": "ThrottlingException", "jobId": "arn:aws:bedrock:us-east-1:*:model-invocation-job/*"}"#).matches(context()))
        #expect(try !rule(#"{"error": "ThrottlingException", "jobId": "a1b2"}"#).matches(context()))
        #expect(try !rule(#"{"error": "ThrottlingException", "jobId": "*"}"#).matches(context(id: nil)))
        #expect(try rule(#"{"error": "ThrottlingException", "status": "InProgress"}"#).matches(context()))
        #expect(try !rule(#"{"error": "ThrottlingException", "status": "InProgress"}"#).matches(context(status: nil)))
    }

    @Test(arguments: [
        ("*", "anything", true), ("", "", true), ("abc", "abc", true), ("abc", "abcd", false), ("a*c", "abbbc", true),
        ("a*c", "ab", false), ("*ghijkl", "abcdefghijkl", true), ("a*b*c", "aXbYc", true), ("a*b*c", "aXcYb", false),
        ("**", "", true), ("ab*ab", "ab", false),
    ])
    func globsMatchStarsOnly(pattern: String, text: String, expected: Bool) {
        #expect(Glob.matches(pattern, text) == expected)
    }

    @Test func delaysAddUpAndDoNotStopTheSearch() throws {
        let book = FaultBook(rateLimits: [RateLimit("GetModelInvocationJob=1/s")!], realTime: { 1 })
        let delay = book.add(try FaultRuleSpec.decode(JSONParser.parse(#"{"delayMs": 5}"#)).get())
        let error = book.add(try FaultRuleSpec.decode(JSONParser.parse(#"{"error": "ConflictException", "delayMs": 7, "times": 1}"#)).get())
        let flags = FaultDecision(ruleId: "request", error: nil, fault: nil, delayMilliseconds: 100)
        let first = book.decide(context(), after: flags)
        #expect(first?.ruleId == "request,\(delay.id),\(error.id)")
        #expect(first?.delayMilliseconds == 112)
        #expect(first?.error?.code == "ConflictException")
        let second = book.decide(context())
        #expect(second?.ruleId == delay.id && second?.error == nil && second?.delayMilliseconds == 5)  // takes the one token
        let third = book.decide(context())
        #expect(third?.ruleId == "\(delay.id),rate-limit" && third?.error?.status == 429)
    }

    @Test func theBookAppliesTheFirstRuleThatFiresThenQuotas() throws {
        // given: a frozen real-time source, so the bucket never refills
        let book = FaultBook(rateLimits: [RateLimit("GetModelInvocationJob=2/s")!], realTime: { 1 })
        let first = book.add(try FaultRuleSpec.decode(JSONParser.parse(#"{"error": "ConflictException", "times": 1}"#)).get())
        _ = book.add(try FaultRuleSpec.decode(JSONParser.parse(#"{"delayMs": 5, "times": 1}"#)).get())
        // when
        let decisions = (0..<5).map { _ in book.decide(context()) }
        // then
        #expect(decisions[0]?.ruleId == first.id)
        #expect(decisions[0]?.error?.code == "ConflictException")
        #expect(decisions[1]?.delayMilliseconds == 5)
        #expect(decisions[1]?.error == nil)  // a delay-only rule lets the quota take a token
        #expect(decisions[2] == nil)
        #expect(decisions[3]?.ruleId == "rate-limit")
        #expect(decisions[4]?.ruleId == "rate-limit")
        #expect(decisions[4]?.error?.status == 429)
        // and a reset brings the quota back and drops the rules
        book.reset()
        #expect(book.rules.isEmpty)
        #expect(book.decide(context()) == nil)
    }

    @Test func tokenBucketsRefillAtTheirRate() {
        var bucket = TokenBucket(RateLimit(operation: "GetModelInvocationJob", perSecond: 2), now: 0)
        let taken = [0, 0, 0, 400_000_000, 500_000_000, 10_000_000_000, 10_000_000_000, 10_000_000_000].map { bucket.take(now: UInt64($0)) }
        #expect(taken == [true, true, false, false, true, true, true, false])
    }

    @Test(arguments: [
        ("GetModelInvocationJob=5/s", RateLimit(operation: "GetModelInvocationJob", perSecond: 5)),
        ("GetModelInvocationJob=0.5", RateLimit(operation: "GetModelInvocationJob", perSecond: 0.5)),
        ("ListModelInvocationJobs=1000/s", RateLimit(operation: "ListModelInvocationJobs", perSecond: 1000)),
    ])
    func parsesRateLimits(text: String, expected: RateLimit) {
        #expect(RateLimit(text) == expected)
    }

    @Test(arguments: ["GetModelInvocationJob", "GetModelInvocationJob=0/s", "Get=5/s", "GetModelInvocationJob=-1/s", "GetModelInvocationJob=fast"])
    func refusesBadRateLimits(text: String) {
        #expect(RateLimit(text) == nil)
    }

    @Test func theJournalKeepsTheNewestInOrder() {
        let journal = RequestJournal(capacity: 3)
        for index in 0..<5 {
            journal.record(
                JournalEntry(
                    time: Timestamp(milliseconds: 0), clock: Timestamp(milliseconds: 0), method: "GET", path: "/\(index)",
                    delayMilliseconds: 0))
        }
        #expect(journal.entries.map(\.path) == ["/2", "/3", "/4"])
        journal.clear()
        #expect(journal.entries.isEmpty)
    }

    @Test func readsTheAttemptFromAmzSdkRequest() {
        #expect(JournalEntry.attempts("attempt=1") == (1, nil))
        #expect(JournalEntry.attempts("ttl=20261123T173000Z; attempt=2; max=5") == (2, 5))
        #expect(JournalEntry.attempts(nil) == (nil, nil))
    }
}

@Suite struct FaultRuleSpecTests {
    @Test func decodesEveryKey() throws {
        let json =
            #"{"error": "ThrottlingException", "message": "m", "operation": "GetModelInvocationJob", "jobId": "a*", "status": "Scheduled", "times": 2, "after": 1, "probability": 0.25, "seed": 18446744073709551615, "delayMs": [1, 9]}"#
        let spec = try FaultRuleSpec.decode(JSONParser.parse(json)).get()
        #expect(
            spec
                == FaultRuleSpec(
                    error: "ThrottlingException", message: "m", delay: .range(min: 1, max: 9), operation: "GetModelInvocationJob", jobId: "a*",
                    status: .scheduled, times: 2, after: 1, probability: 0.25, seed: UInt64.max))
    }

    @Test(arguments: [
        (#"{"error": "ThrottlingException", "fault": "reset"}"#, "fault: a rule answers an error or breaks the connection, not both"),
        (#"{"delayMs": -1}"#, "delayMs: expected milliseconds from 0 to 600000, or [min, max]"),
        (#"{"delayMs": [5, 1]}"#, "delayMs: expected [min, max] milliseconds with 0 <= min <= max <= 600000"),
        (#"{"error": "ThrottlingException", "probability": 1.5}"#, "probability: expected a number from 0 to 1"),
        (
            #"{"error": "ThrottlingException", "status": "Running"}"#,
            "status: expected a status: Submitted, Validating, Scheduled, InProgress, Completed, PartiallyCompleted, Failed, Stopping, Stopped, Expired"
        ),
        (
            #"{"error": "ThrottlingException", "operation": "InvokeModel"}"#,
            "operation: expected an operation: CreateModelInvocationJob, GetModelInvocationJob, ListModelInvocationJobs, ListTagsForResource, StopModelInvocationJob, TagResource, UntagResource"
        ),
        (#"{"error": "ThrottlingException", "seed": -3}"#, "seed: expected a whole number from 0 to 2^64-1"),
        (#"{"error": "ThrottlingException", "after": -1}"#, "after: expected a whole number, at least 0"),
        (#"{"error": "ThrottlingException", "jobId": ""}"#, "jobId: expected a job id, a job ARN or a pattern with * (at most 1011 characters)"),
        (#"[]"#, "expected a rule object, found an array"),
    ])
    func refusesBadRulesNamingTheKey(json: String, message: String) throws {
        let result = FaultRuleSpec.decode(try JSONParser.parse(json))
        guard case .failure(let errors) = result else { Issue.record("accepted \(json)"); return }
        #expect(errors.violations.map(\.descriptionNamingPath) == [message])
    }

    @Test func readsRequestFlags() throws {
        let names = ["mockError", "mockMessage", "mockDelayMs", "mockFault"]
        #expect(FaultRuleSpec.fromFlags(error: nil, message: nil, delayMs: nil, fault: nil, names: names) == nil)
        let spec = try FaultRuleSpec.fromFlags(error: "ThrottlingException", message: "slow", delayMs: "20", fault: nil, names: names)?.get()
        #expect(spec == FaultRuleSpec(error: "ThrottlingException", message: "slow", delay: .fixed(milliseconds: 20)))
        guard case .failure(let errors)? = FaultRuleSpec.fromFlags(error: nil, message: nil, delayMs: "soon", fault: nil, names: names) else {
            Issue.record("accepted a bad delay")
            return
        }
        #expect(errors.violations.map(\.descriptionNamingPath) == ["mockDelayMs: expected milliseconds from 0 to 600000, or [min, max]"])
        guard case .failure(let both)? = FaultRuleSpec.fromFlags(error: "ThrottlingException", message: nil, delayMs: nil, fault: "reset", names: names),
            case .failure(let lonely)? = FaultRuleSpec.fromFlags(error: nil, message: "hi", delayMs: nil, fault: nil, names: names)
        else {
            Issue.record("accepted conflicting flags")
            return
        }
        #expect(both.violations.map(\.descriptionNamingPath) == ["mockFault: a rule answers an error or breaks the connection, not both"])
        #expect(lonely.violations.map(\.descriptionNamingPath) == ["mockMessage: a rule needs error, fault or delayMs", "mockMessage: a message goes with an error"])
    }
}

@Suite struct ServiceFaultTests {
    let service = TestJobs.service()

    @Test func requestFlagsAskForOneRequestsFault() {
        // when
        let delayed = service.answer(HTTPRequest(path: "/model-invocation-job/\(TestJobs.completedId)", query: [("mockDelayMs", "40")]))
        let reset = service.answer(HTTPRequest(path: "/model-invocation-job/\(TestJobs.completedId)", headers: [("x-mock-fault", "reset")]))
        let throttled = service.answer(HTTPRequest(path: "/model-invocation-job/\(TestJobs.completedId)", query: [("mockError", "ThrottlingException")]))
        let plain = service.answer(.make("GET", "/model-invocation-job/\(TestJobs.completedId)"))
        // then
        #expect(delayed.delayMilliseconds == 40 && delayed.response.status == 200)
        #expect(reset.connectionFault == .reset)
        #expect(throttled.response.status == 429)
        #expect(throttled.response.json?["message"] == .string("The number of requests exceeds the limit. Resubmit your request later."))
        #expect(plain.delayMilliseconds == 0 && plain.connectionFault == nil && plain.response.status == 200)
        #expect(service.journal.entries.map(\.ruleId) == ["request", "request", "request", nil])
    }

    @Test func adminCallsAreNeitherFaultedNorJournaled() {
        _ = service.faults.add(FaultRuleSpec(error: "InternalServerException"))
        #expect(service.respond(to: .make("GET", "/_mock/health")).status == 200)
        #expect(service.respond(to: .make("GET", "/model-invocation-job/\(TestJobs.completedId)")).status == 500)
        #expect(service.journal.entries.map(\.path) == ["/model-invocation-job/\(TestJobs.completedId)"])
    }

    @Test func aConnectionFaultDoesNotRunTheOperation() {
        // given: a job on a polls lifecycle
        var record = TestJobs.completed
        record.status = nil
        let lifecycle = Lifecycle(phases: [PhaseSpec(status: .submitted, length: .polls(1)), PhaseSpec(status: .failed, length: .final)])
        let service = MockBedrockService(store: JobStore([Job(record: record, lifecycle: lifecycle)], clockStart: record.submitTime, clockRate: 0))
        // when: a reset request, then a Get
        _ = service.answer(HTTPRequest(path: "/model-invocation-job/\(TestJobs.completedId)", query: [("mockFault", "close")]))
        let first = service.respond(to: .make("GET", "/model-invocation-job/\(TestJobs.completedId)"))
        // then: the closed request was not a poll
        #expect(first.json?["status"] == .string("Submitted"))
    }
}
