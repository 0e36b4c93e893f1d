import Fixtures
import JSON
import MockBedrock
import ServiceModel
import Sync
import Testing

/// Lifecycle events: every status change once, in order, at its own instant; the log and its
/// queries; resets, stops, polls phases and the event fault rules. Rounds are run by the test
/// (`events.round()`), so no worker thread is involved.
@Suite struct EventTests {
    let realTime = ManualRealTime()
    let start = Timestamp(iso8601: "2026-03-01T10:00:00Z")!
    let minute: Int64 = 60_000

    private func job(_ phases: [PhaseSpec]? = nil, outcome: LifecycleOutcome = .completed, submit: Timestamp? = nil) -> Job {
        var record = TestJobs.completed
        record.status = nil
        record.submitTime = submit ?? start
        let behaviour: JobBehaviour = phases.map { .lifecycle(LifecycleSpec(phases: $0)) } ?? .defaultLifecycle(outcome)
        return Job(record: record, lifecycle: Lifecycle(behaviour, record: record))
    }

    private func service(_ jobs: [Job]) -> MockBedrockService {
        MockBedrockService(store: JobStore(jobs, clockStart: start, clockRate: 0, realTime: realTime.source))
    }

    private func advance(_ service: MockBedrockService, minutes: Int64) {
        _ = try? service.store.updateClock(advanceMillis: minutes * minute)
    }

    /// The log's events as (status, minutes after the clock's start).
    private func logged(_ service: MockBedrockService, _ query: EventQuery = EventQuery()) -> [(JobStatus, Int64)] {
        service.events.log.events(query).events.map { ($0.status, ($0.at - start.milliseconds) / minute) }
    }

    private func get(_ service: MockBedrockService) -> String? {
        service.respond(to: .make("GET", "/model-invocation-job/\(TestJobs.completedId)")).json?["status"]?.stringValue
    }

    @Test func aJumpOfThreeHoursSendsEveryChangeInOrderAtItsOwnInstant() {
        // given a created-like job submitted at the clock's start
        let service = service([job()])
        service.events.round()
        #expect(logged(service).map(\.0) == [.submitted])
        // when the clock jumps 3 h
        advance(service, minutes: 180)
        service.events.round()
        // then each change once, at its instant
        let found = logged(service)
        #expect(found.map(\.0) == [.submitted, .validating, .scheduled, .inProgress, .completed])
        #expect(found.map(\.1) == [0, 5, 15, 45, 165])
        #expect(service.events.log.events(EventQuery()).events.map(\.sequence) == [1, 2, 3, 4, 5])
        // and a further round sends nothing new
        service.events.round()
        #expect(service.events.log.lastSequence == 5)
    }

    @Test func theEventIsAWSsShape() throws {
        let service = service([job(outcome: .failed)])
        advance(service, minutes: 60)
        service.events.round()
        let failed = try #require(service.events.log.events(EventQuery(statuses: [.failed])).events.first)
        let event = try #require(try? JSONParser.parse(failed.json))
        #expect(event["version"]?.stringValue == "0")
        #expect(event["detail-type"]?.stringValue == "Batch Inference Job State Change")
        #expect(event["source"]?.stringValue == "aws.bedrock")
        #expect(event["account"]?.stringValue == "123456789012")
        #expect(event["region"]?.stringValue == "us-east-1")
        #expect(event["time"]?.stringValue == "2026-03-01T10:15:00Z")
        #expect(event["resources"] == .array([.string(TestJobs.completedArn)]))
        let id = try #require(event["id"]?.stringValue)
        #expect(id.count == 36 && Array(id)[14] == "4")
        let detail = try #require(event["detail"])
        #expect(detail["version"]?.stringValue == "0.0")
        #expect(detail["accountId"]?.stringValue == "123456789012")
        #expect(detail["batchJobName"]?.stringValue == "nightly-summaries")
        #expect(detail["batchJobArn"]?.stringValue == TestJobs.completedArn)
        #expect(detail["batchModelId"]?.stringValue == "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0")
        #expect(detail["status"]?.stringValue == "Failed")
        #expect(detail["failureMessage"]?.stringValue?.hasPrefix("Input validation failed") == true)
        #expect(detail["creationTime"]?.stringValue == "Mar 1, 2026, 10:00:00 AM")
        // a status without a message sends an empty one, as AWS's sample does
        let submitted = try #require(service.events.log.events(EventQuery(statuses: [.submitted])).events.first)
        #expect((try? JSONParser.parse(submitted.json))?["detail"]?["failureMessage"]?.stringValue == "")
    }

    @Test func consoleTimesUseATwelveHourClock() {
        #expect(JobEvent.consoleTime(Timestamp(iso8601: "2024-08-28T22:47:53Z")!.milliseconds) == "Aug 28, 2024, 10:47:53 PM")
        #expect(JobEvent.consoleTime(Timestamp(iso8601: "2024-01-05T00:05:09Z")!.milliseconds) == "Jan 5, 2024, 12:05:09 AM")
        #expect(JobEvent.consoleTime(Timestamp(iso8601: "2024-12-31T12:00:00Z")!.milliseconds) == "Dec 31, 2024, 12:00:00 PM")
    }

    @Test func modelIdsBecomeArnsLikeAWSsSample() throws {
        let job = try #require(JobARN(TestJobs.completedArn))
        #expect(JobEvent.modelArn("amazon.nova-lite-v1:0", of: job) == "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0")
        #expect(
            JobEvent.modelArn("us.anthropic.claude-3-haiku-20240307-v1:0", of: job)
                == "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0")
        #expect(JobEvent.modelArn("arn:aws:bedrock:us-east-1::foundation-model/x.y", of: job) == "arn:aws:bedrock:us-east-1::foundation-model/x.y")
    }

    @Test func changesBeforeTheClocksStartAreHistoryNotEvents() {
        // given a job submitted an hour before the clock's start
        let service = service([job(submit: Timestamp(milliseconds: start.milliseconds - 60 * minute))])
        // when the first round runs, and the clock moves to its end
        service.events.round()
        #expect(logged(service).isEmpty)
        advance(service, minutes: 120)
        service.events.round()
        // then only the changes from the start on
        #expect(logged(service).map(\.0) == [.completed])
        #expect(logged(service).map(\.1) == [105])
    }

    @Test func aResetStartsOverAndSequencesGoOn() {
        let service = service([job()])
        advance(service, minutes: 30)
        service.events.round()
        #expect(logged(service).map(\.0) == [.submitted, .validating, .scheduled])
        // when
        #expect(service.respond(to: HTTPRequest(method: "POST", path: "/_mock/reset")).status == 200)
        #expect(logged(service).isEmpty)
        service.events.round()
        // then the job's changes again, numbered after the earlier ones
        #expect(logged(service).map(\.0) == [.submitted])
        #expect(service.events.log.events(EventQuery()).events.map(\.sequence) == [4])
    }

    @Test func aPollsPhaseEndsAtTheGetThatEndsIt() {
        // given Submitted for 3 Gets, then Validating for a minute, then Failed
        let service = service([
            job([
                PhaseSpec(status: .submitted, length: .polls(3)),
                PhaseSpec(status: .validating, length: .duration(milliseconds: minute)),
                PhaseSpec(status: .failed, length: .final, message: "bad input"),
            ])
        ])
        service.events.round()
        // when the clock moves between Gets
        for _ in 0..<3 {
            advance(service, minutes: 10)
            _ = get(service)
            service.events.round()
        }
        advance(service, minutes: 10)
        service.events.round()
        // then Validating began at the third Get, Failed a minute later
        #expect(logged(service).map(\.0) == [.submitted, .validating, .failed])
        #expect(logged(service).map(\.1) == [0, 30, 31])
        #expect(service.events.log.events(EventQuery(statuses: [.failed])).events.first?.message == "bad input")
    }

    @Test func aStopSendsStoppingThenStoppedAMinuteLater() {
        let service = service([job()])
        advance(service, minutes: 50)
        let stop = service.respond(to: .make("POST", "/model-invocation-job/\(TestJobs.completedId)/stop"))
        #expect(stop.status == 200)
        service.events.round()
        #expect(logged(service).map(\.0) == [.submitted, .validating, .scheduled, .inProgress, .stopping])
        advance(service, minutes: 5)
        service.events.round()
        #expect(logged(service).map(\.0) == [.submitted, .validating, .scheduled, .inProgress, .stopping, .stopped])
        #expect(logged(service).map(\.1).suffix(2) == [50, 51])
    }

    @Test func anExpiredJobSendsExpiredAtItsTimeout() {
        var record = TestJobs.completed
        record.status = nil
        record.submitTime = start
        record.timeoutDurationInHours = 24
        let service = service([Job(record: record, lifecycle: Lifecycle(.defaultLifecycle(.expired), record: record))])
        advance(service, minutes: 48 * 60)
        service.events.round()
        #expect(logged(service).map(\.0) == [.submitted, .validating, .scheduled, .expired])
        #expect(logged(service).last?.1 == Int64(1440))
    }

    @Test func eventRulesDropAndDelay() throws {
        let service = service([job()])
        let drop = service.respond(to: HTTPRequest(method: "POST", path: "/_mock/faults", body: Array(#"{"event": "drop", "status": "Scheduled"}"#.utf8)))
        #expect(drop.status == 200)
        let delay = service.respond(
            to: HTTPRequest(method: "POST", path: "/_mock/faults", body: Array(#"{"event": "delay", "delayMs": 1000, "status": "Completed"}"#.utf8)))
        #expect(delay.status == 200)
        advance(service, minutes: 180)
        _ = try #require(Optional(service.events.round()))
        // Scheduled is gone; Completed waits for real time to pass
        #expect(logged(service).map(\.0) == [.submitted, .validating, .inProgress])
        realTime.advance(seconds: 0.5)
        service.events.round()
        #expect(logged(service).map(\.0) == [.submitted, .validating, .inProgress])
        // the delayed event still carries the instant of its change
        realTime.advance(seconds: 0.6)
        service.events.round()
        #expect(logged(service).map(\.0) == [.submitted, .validating, .inProgress, .completed])
        #expect(logged(service).last?.1 == 165)
        let stats = service.respond(to: .make("GET", "/_mock/stats")).json
        #expect(stats?["events"]?["droppedByFault"]?.int64Value == 1)
        #expect(stats?["events"]?["delayedByFault"]?.int64Value == 1)
        #expect(stats?["events"]?["sent"]?.int64Value == 4)
    }

    @Test func eventRulesRefuseRequestKeys() {
        for body in [
            #"{"event": "drop", "error": "ThrottlingException"}"#, #"{"event": "delay"}"#, #"{"event": "drop", "delayMs": 5}"#,
            #"{"event": "sometimes"}"#, #"{"event": "drop", "operation": "GetModelInvocationJob"}"#,
        ] {
            let response = service([]).respond(to: HTTPRequest(method: "POST", path: "/_mock/faults", body: Array(body.utf8)))
            #expect(response.status == 400, "\(body)")
        }
    }

    @Test func requestsNeverFireEventRules() {
        let service = service([job()])
        _ = service.respond(to: HTTPRequest(method: "POST", path: "/_mock/faults", body: Array(#"{"event": "drop"}"#.utf8)))
        #expect(get(service) == "Submitted")
    }

    @Test func theEventsRouteFiltersAndPages() throws {
        let service = service([job()])
        advance(service, minutes: 180)
        service.events.round()
        func answer(_ query: String) -> JSONValue? {
            var request = HTTPRequest.make("GET", "/_mock/events")
            request.query = query.split(separator: "&").map { part in
                let pieces = part.split(separator: "=", maxSplits: 1)
                return (String(pieces[0]), String(pieces.count > 1 ? pieces[1] : ""))
            }
            return service.respond(to: request).json
        }
        func statuses(_ value: JSONValue?) -> [String] {
            guard case .array(let events)? = value?["events"] else { return [] }
            return events.compactMap { $0["event"]?["detail"]?["status"]?.stringValue }
        }
        #expect(statuses(answer("status=Completed,Scheduled")) == ["Scheduled", "Completed"])
        #expect(statuses(answer("job=\(TestJobs.completedId)&after=3")) == ["InProgress", "Completed"])
        #expect(statuses(answer("job=\(TestJobs.completedArn)&maxResults=2")) == ["Submitted", "Validating"])
        #expect(answer("maxResults=2")?["lastSequence"]?.int64Value == 2)
        #expect(answer("status=Submitted")?["lastSequence"]?.int64Value == 5)
        #expect(statuses(answer("job=\(TestJobs.euId)")).isEmpty)
        for bad in [
            "status=Done", "after=-1", "wait=2m", "wait=9223372036854775807", "wait=61", "wait=-1", "maxResults=0", "job=nope", "colour=red",
        ] {
            var request = HTTPRequest.make("GET", "/_mock/events")
            let pieces = bad.split(separator: "=", maxSplits: 1)
            request.query = [(String(pieces[0]), String(pieces[1]))]
            #expect(service.respond(to: request).status == 400, "\(bad)")
        }
    }
}

/// The log on its own: a ring of consecutive sequences, and readers that wait.
@Suite struct EventLogTests {
    private func event(_ status: JobStatus, at: Int64 = 0) -> JobEvent {
        JobEvent(
            jobArn: JobARN(TestJobs.completedArn)!, jobName: "job", modelId: "amazon.nova-lite-v1:0", change: StatusChange(status: status, at: at), creationTime: 0)
    }

    @Test func theRingKeepsTheNewestAndSkipsToAfter() {
        let log = EventLog(capacity: 3)
        log.append((0..<5).map { event(.inProgress, at: Int64($0)) })
        #expect(log.events(EventQuery()).events.map(\.sequence) == [3, 4, 5])
        #expect(log.events(EventQuery(after: 3)).events.map(\.sequence) == [4, 5])
        #expect(log.events(EventQuery(after: 9)).events.isEmpty)
        #expect(log.events(EventQuery(after: 9)).next == 9)
        log.clear()
        #expect(log.events(EventQuery()).events.isEmpty)
        log.append([event(.completed)])
        #expect(log.events(EventQuery()).events.map(\.sequence) == [6])
    }

    @Test func aWaitingReaderIsWokenByAMatchOnly() {
        let log = EventLog()
        let woken = Locked(0)
        let waiting = log.wait(EventQuery(statuses: [.completed])) { woken.withLock { $0 += 1 } }
        guard case .registered = waiting else {
            Issue.record("not registered: \(waiting)")
            return
        }
        log.append([event(.inProgress)])
        #expect(woken.withLock { $0 } == 0)
        log.append([event(.completed)])
        log.append([event(.completed)])
        #expect(woken.withLock { $0 } == 1)
        // a reader whose event is already there is not registered
        #expect(log.wait(EventQuery(statuses: [.completed])) {} == .ready)
        // a cancelled reader is never woken
        if case .registered(let token) = log.wait(EventQuery(after: 99), wake: { woken.withLock { $0 += 100 } }) { log.cancel(token) }
        log.append([event(.failed)])
        #expect(woken.withLock { $0 } == 1)
    }

    @Test func pastTheLimitReadersWaitOutTheirTime() {
        let log = EventLog()
        for _ in 0..<EventLog.maxWaiters { _ = log.wait(EventQuery(after: 99)) {} }
        #expect(log.wait(EventQuery(after: 99)) {} == .full)
    }
}
