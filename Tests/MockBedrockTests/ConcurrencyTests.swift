import Dispatch
import Foundation
import Fixtures
import MockBedrock
import Synchronization
import Testing
import ServiceModel

@Suite struct ConcurrencyTests {
    /// The phase start of each status of the default lifecycle, in minutes after submission.
    static let phaseStart: [String: Int64] = ["Submitted": 0, "Validating": 5, "Scheduled": 15, "InProgress": 45, "Completed": 165]
    static let order = ["Submitted", "Validating", "Scheduled", "InProgress", "Completed"]

    @Test func concurrentGetsWithClockChangesBetweenNeverSeeAStaleOrInconsistentJob() throws {
        // given: four jobs on a frozen clock, served by a live server with two threads
        let start = Timestamp(iso8601: "2026-03-01T10:00:00Z")!
        let jobs = (1...4).map { index -> Job in
            var record = TestJobs.completed
            record.jobArn = "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/00000000000\(index)"
            record.status = nil
            record.submitTime = start
            return Job(record: record, lifecycle: Lifecycle(.defaultLifecycle(.completed), record: record))
        }
        let service = MockBedrockService(store: JobStore(jobs, clockStart: start, clockRate: 0))
        let server = try MockBedrockServer(service: service, configuration: .init(port: 0, threads: 2))
        defer { server.stop() }
        let problems = Mutex<[String]>([])
        let finished = Atomic<Int>(0)

        // when: four clients poll while a fifth advances the clock a minute at a time
        runOnThreads(5) { worker in
            do {
                let client = try RawHTTPClient(port: server.port)
                if worker == 4 {
                    for _ in 0..<170 {
                        let response = try client.send(HTTPRequest(method: "POST", path: "/_mock/clock", body: Array(#"{"advance": "1m"}"#.utf8)))
                        if response.status != 200 { problems.withLock { $0.append("advance answered \(response.status)") } }
                    }
                    finished.store(1, ordering: .sequentiallyConsistent)
                    return
                }
                var lastRank = 0
                var lastNow = ""
                var gets = 0
                // Until a Get made after the last advance: one that began when `finished` was already set.
                var afterLastAdvance = false
                while !(afterLastAdvance && gets >= 3) && gets < 100_000 {
                    afterLastAdvance = finished.load(ordering: .sequentiallyConsistent) == 1
                    gets += 1
                    let job = try #require(try client.send(.make("GET", "/model-invocation-job/00000000000\(worker + 1)")).json)
                    guard case .string(let status)? = job["status"], let rank = Self.order.firstIndex(of: status),
                        case .string(let modified)? = job["lastModifiedTime"]
                    else { problems.withLock { $0.append("unreadable job \(job)") }; continue }
                    let expected = Timestamp(milliseconds: start.milliseconds + Self.phaseStart[status]! * 60_000).description
                    if modified != expected { problems.withLock { $0.append("\(status) with lastModifiedTime \(modified)") } }
                    if rank < lastRank { problems.withLock { $0.append("went back to \(status)") } }
                    if (job["endTime"] != nil) != (status == "Completed") { problems.withLock { $0.append("endTime on \(status)") } }
                    if modified < lastNow { problems.withLock { $0.append("time went back") } }
                    lastRank = rank
                    lastNow = modified
                }
                if lastRank != Self.order.count - 1 { problems.withLock { $0.append("worker \(worker) ended at rank \(lastRank)") } }
            } catch {
                problems.withLock { $0.append("worker \(worker): \(error)") }
            }
        }

        // then
        #expect(problems.withLock { $0 } == [])
    }
}

/// Runs `body` on `count` threads of their own at once (not a pool that may run them one after another)
/// and returns when all have finished.
func runOnThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        Thread {
            body(index)
            group.leave()
        }.start()
    }
    group.wait()
}
