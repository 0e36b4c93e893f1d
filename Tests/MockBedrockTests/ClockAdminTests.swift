import Fixtures
import MockBedrock
import Synchronization
import Testing
import ServiceModel

/// Real time that moves only when a test says so.
final class ManualRealTime: Sendable {
    private let nanoseconds = Mutex<UInt64>(1_000_000_000)

    func advance(seconds: Double) { nanoseconds.withLock { $0 += UInt64(seconds * 1e9) } }
    var source: @Sendable () -> UInt64 { { self.nanoseconds.withLock { $0 } } }
}

@Suite struct ClockAdminTests {
    let realTime = ManualRealTime()
    let start = Timestamp(iso8601: "2026-03-01T10:00:00Z")!

    private func service(rate: Double = 0, jobs: [Job] = []) -> MockBedrockService {
        MockBedrockService(store: JobStore(jobs, clockStart: start, clockRate: rate, realTime: realTime.source))
    }

    private func post(_ path: String, _ body: String) -> HTTPRequest {
        HTTPRequest(method: "POST", path: path, body: Array(body.utf8))
    }

    private var defaultJob: Job {
        var record = TestJobs.completed
        record.status = nil
        record.submitTime = start
        return Job(record: record, lifecycle: Lifecycle(.defaultLifecycle(.completed), record: record))
    }

    private func status(_ service: MockBedrockService) -> String? {
        service.respond(to: .make("GET", "/model-invocation-job/\(TestJobs.completedId)")).json?["status"]?.stringValue
    }

    @Test func readsTheClockRunningAtItsRate() {
        // given
        let service = service(rate: 3600)
        // when
        realTime.advance(seconds: 1.5)
        // then
        #expect(service.respond(to: .make("GET", "/_mock/clock")).text == #"{"now":"2026-03-01T11:30:00.000Z","rate":3600}"#)
    }

    @Test func setsAdvancesAndChangesTheRateInOneCall() {
        let service = service(rate: 1)
        let response = service.respond(to: post("/_mock/clock", #"{"rate": 0.5, "advance": "90m", "set": "2026-03-02T00:00:00.250Z"}"#))
        #expect(response.status == 200)
        #expect(response.text == #"{"now":"2026-03-02T01:30:00.250Z","rate":0.5}"#)
        realTime.advance(seconds: 10)
        #expect(service.respond(to: .make("GET", "/_mock/clock")).json?["now"] == .string("2026-03-02T01:30:05.250Z"))
    }

    @Test func advanceStepsAJobThroughItsPhasesExactlyAndResetRestoresTheStart() {
        // given: a frozen clock
        let service = service(jobs: [defaultJob])
        #expect(status(service) == "Submitted")
        // when / then
        _ = service.respond(to: post("/_mock/clock", #"{"advance": "4m59.999s"}"#))
        #expect(status(service) == "Submitted")
        _ = service.respond(to: post("/_mock/clock", #"{"advance": "1ms"}"#))
        #expect(status(service) == "Validating")
        _ = service.respond(to: post("/_mock/clock", #"{"advance": "160m"}"#))
        #expect(status(service) == "Completed")
        let reset = service.respond(to: post("/_mock/reset", ""))
        #expect(reset.text == #"{"now":"2026-03-01T10:00:00.000Z","rate":0}"#)
        #expect(status(service) == "Submitted")
    }

    @Test(arguments: [
        (#"{"advnce": "1h"}"#, "advnce: unknown key (allowed: set, advance, rate)"),
        (#"{}"#, "give at least one of set, advance, rate"),
        (#"{"advance": "soon"}"#, #"advance: expected a duration such as "90m" (a number and ms, s, m, h or d)"#),
        (#"{"advance": 90}"#, #"advance: expected a duration such as "90m" (a number and ms, s, m, h or d)"#),
        (#"{"rate": -1}"#, "rate: expected a number of simulated seconds per real second, from 0 (frozen) to 1e9"),
        (#"{"rate": "fast"}"#, "rate: expected a number of simulated seconds per real second, from 0 (frozen) to 1e9"),
        (#"{"set": "tomorrow"}"#, #"set: expected an ISO 8601 time with an offset, such as "2026-03-01T10:00:00Z""#),
        (#"{"set": "2026-02-28T00:00:00Z"}"#, "set: the clock does not go back; it is 2026-03-01T10:00:00.000Z (POST /_mock/reset restarts it)"),
        (#"[1]"#, "the body must be a JSON object, not an array"),
        (#"{"rate": 1"#, "the body is not JSON: line 1, column 11: expected ',' or '}' in an object"),
    ])
    func refusesBadClockInputNamingTheField(body: String, message: String) {
        // given
        let service = service()
        // when
        let response = service.respond(to: post("/_mock/clock", body))
        // then
        #expect(response.status == 400)
        #expect(response.header("x-amzn-ErrorType") == "ValidationException")
        #expect(response.json?["message"] == .string(message))
        #expect(service.respond(to: .make("GET", "/_mock/clock")).text == #"{"now":"2026-03-01T10:00:00.000Z","rate":0}"#)
    }

    @Test func refusesABodyOnReset() {
        let response = service().respond(to: post("/_mock/reset", #"{"jobs": true}"#))
        #expect(response.status == 400)
        #expect(response.json?["message"] == .string("jobs: unknown key (allowed: )"))
    }

    @Test func servesEveryMemberConsistentlyAtEachPhase() throws {
        // given
        let service = service(jobs: [defaultJob])
        _ = service.respond(to: post("/_mock/clock", #"{"advance": "105m"}"#))
        // when
        let inProgress = try #require(service.respond(to: .make("GET", "/model-invocation-job/\(TestJobs.completedId)")).json)
        _ = service.respond(to: post("/_mock/clock", #"{"advance": "1h"}"#))
        let completed = try #require(service.respond(to: .make("GET", "/model-invocation-job/\(TestJobs.completedId)")).json)
        // then
        #expect(inProgress["status"] == .string("InProgress"))
        #expect(inProgress["lastModifiedTime"] == .string("2026-03-01T10:45:00.000Z"))
        #expect(inProgress["endTime"] == nil)
        #expect(inProgress["jobExpirationTime"] == .string("2026-03-08T10:00:00.000Z"))
        #expect(inProgress["timeoutDurationInHours"] == .number("168"))
        #expect(inProgress["processedRecordCount"] == .number("5"))  // half of the sample's 10
        #expect(completed["status"] == .string("Completed"))
        #expect(completed["lastModifiedTime"] == .string("2026-03-01T12:45:00.000Z"))
        #expect(completed["endTime"] == completed["lastModifiedTime"])
        #expect(completed["processedRecordCount"] == .number("10"))
        #expect(completed["totalRecordCount"] == .number("10"))
    }
}
