import Foundation
import Fixtures
@testable import MockBedrock
import Signing
import Synchronization
import Testing
import JSON
import ServiceModel

/// Many clients at once on a live server, mixing every operation with admin calls, while the clock
/// runs fast. Every answer is checked as it arrives; at the end, List must hold each job once.
/// (CI also runs this under ThreadSanitizer: `swift test --sanitize=thread`.)
@Suite struct StressTests {
    static let workers = 12
    static let rounds = 60

    @Test func mixedConcurrentClientsNeverLoseDuplicateOrRewindAJob() throws {
        // given: 20 fixture jobs on the default lifecycle, a clock at an hour a second
        let start = Timestamp(iso8601: "2026-03-01T10:00:00Z")!
        let fixtures = (0..<20).map { index -> Job in
            var record = TestJobs.completed
            record.jobArn = "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/stress\(String(format: "%06d", index))"
            record.jobName = "stress-\(index)"
            record.status = nil
            record.submitTime = Timestamp(milliseconds: start.milliseconds - Int64(index) * 60_000)  // all there from the start
            return Job(record: record, lifecycle: Lifecycle(.defaultLifecycle(.completed), record: record))
        }
        let service = MockBedrockService(store: JobStore(fixtures, clockStart: start, clockRate: 3600))
        let server = try MockBedrockServer(service: service, configuration: .init(port: 0, threads: 4))
        defer { server.stop() }
        let problems = Mutex<[String]>([])
        let created = Mutex<[String]>([])
        @Sendable func problem(_ text: String) { problems.withLock { if $0.count < 50 { $0.append(text) } } }

        // when
        runOnThreads(Self.workers) { worker in
            do {
                let client = try RawHTTPClient(port: server.port)
                var seen: [String: JobStatus] = [:]
                var mine: [String] = []
                var lastClock = ""
                for round in 0..<Self.rounds {
                    switch (worker + round) % 8 {
                    case 0, 1:  // Get: statuses only move forward, times fit the status
                        let id = "stress\(String(format: "%06d", (worker * 7 + round) % 20))"
                        let response = try client.send(.make("GET", "/model-invocation-job/\(id)"))
                        guard response.status == 200, let job = response.json else { problem("Get \(id): \(response.status)"); continue }
                        Self.check(job, previous: &seen, problem: problem)
                    case 2:  // List: one page, newest first, no job twice
                        let response = try client.send(.make("GET", "/model-invocation-jobs?maxResults=25"))
                        guard response.status == 200, case .array(let summaries)? = response.json?["invocationJobSummaries"] else {
                            problem("List: \(response.status)"); continue
                        }
                        let arns = summaries.compactMap { $0["jobArn"]?.stringValue }
                        if Set(arns).count != arns.count { problem("List page repeats a job") }
                        let times = summaries.compactMap { $0["submitTime"]?.stringValue.flatMap(Timestamp.init(iso8601:)) }
                        if times != times.sorted(by: >) { problem("List page out of order") }
                        for summary in summaries { Self.check(summary, previous: &seen, problem: problem) }
                    case 3:  // Create
                        let body =
                            #"{"jobName": "w\#(worker)-r\#(round)", "roleArn": "arn:aws:iam::123456789012:role/R", "modelId": "anthropic.claude-3-haiku-20240307-v1:0", "clientRequestToken": "t-\#(worker)-\#(round)", "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://in-bucket/x"}}, "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/"}}}"#
                        let response = try client.send(HTTPRequest(method: "POST", path: "/model-invocation-job", body: Array(body.utf8)))
                        guard response.status == 200, let arn = response.json?["jobArn"]?.stringValue else { problem("Create: \(response.status) \(response.text)"); continue }
                        mine.append(arn)
                    case 4:  // Stop one of ours: {} or Conflict once it finished
                        guard let arn = mine.last else { continue }
                        let encoded = arn.replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: "/", with: "%2F")
                        let response = try client.send(HTTPRequest(method: "POST", path: "/model-invocation-job/\(encoded)/stop"))
                        if response.status != 200, response.header("x-amzn-ErrorType") != "ConflictException" { problem("Stop: \(response.status) \(response.text)") }
                    case 5:  // Tags on one of ours
                        guard let arn = mine.first else { continue }
                        let tag = try client.send(
                            HTTPRequest(method: "POST", path: "/tagResource", body: Array(#"{"resourceARN": "\#(arn)", "tags": [{"key": "w", "value": "\#(round)"}]}"#.utf8)))
                        let list = try client.send(HTTPRequest(method: "POST", path: "/listTagsForResource", body: Array(#"{"resourceARN": "\#(arn)"}"#.utf8)))
                        if tag.status != 200 || list.status != 200 || !list.text.contains(#""value":"\#(round)""#) { problem("tags: \(tag.status) \(list.text)") }
                    case 6:  // the clock only moves forward, also while others advance it
                        let response = try client.send(HTTPRequest(method: "POST", path: "/_mock/clock", body: Array(#"{"advance": "1m"}"#.utf8)))
                        guard response.status == 200, let now = response.json?["now"]?.stringValue else { problem("clock: \(response.status)"); continue }
                        if let previous = Timestamp(iso8601: lastClock), let current = Timestamp(iso8601: now), current < previous { problem("clock went back") }
                        lastClock = now
                    default:  // the journal and fault list read under load
                        let journal = try client.send(.make("GET", "/_mock/requests"))
                        let faults = try client.send(.make("GET", "/_mock/faults"))
                        if journal.status != 200 || faults.status != 200 { problem("admin reads: \(journal.status) \(faults.status)") }
                    }
                }
                created.withLock { $0 += mine }
            } catch {
                problem("worker \(worker): \(error)")
            }
        }

        // then: every job once in a full listing, the created ones among them
        let client = try RawHTTPClient(port: server.port)
        var listed: [String] = []
        var token: String?
        repeat {
            let query = token.map { "&nextToken=\(SigV4.uriEncode($0))" } ?? ""
            let page = try #require(try client.send(.make("GET", "/model-invocation-jobs?maxResults=100\(query)")).json)
            guard case .array(let summaries)? = page["invocationJobSummaries"] else { Issue.record("no summaries"); break }
            listed += summaries.compactMap { $0["jobArn"]?.stringValue }
            token = page["nextToken"]?.stringValue
        } while token != nil
        let createdArns = created.withLock { $0 }
        #expect(problems.withLock { $0 } == [])
        #expect(Set(listed).count == listed.count, "a job listed twice")
        #expect(listed.count == fixtures.count + createdArns.count)
        #expect(Set(createdArns).isSubset(of: Set(listed)))
        #expect(createdArns.count >= Self.workers * (Self.rounds / 8))  // the Creates happened
    }

    /// Checks one job as served against what this client saw of it before.
    static func check(_ job: JSONValue, previous: inout [String: JobStatus], problem: @Sendable (String) -> Void) {
        guard let arn = job["jobArn"]?.stringValue, let status = job["status"]?.stringValue.flatMap(JobStatus.init(rawValue:)),
            let submit = job["submitTime"]?.stringValue.flatMap(Timestamp.init(iso8601:))
        else { return problem("unreadable job \(job)") }
        if let before = previous[arn], before != status, !reachable(from: before).contains(status) {
            problem("\(arn) went from \(before.rawValue) back to \(status.rawValue)")
        }
        previous[arn] = status
        if let modified = job["lastModifiedTime"]?.stringValue.flatMap(Timestamp.init(iso8601:)), modified < submit {
            problem("\(arn) modified before it was submitted")
        }
        let end = job["endTime"]?.stringValue
        if status.isTerminal != (end != nil) { problem("\(arn) is \(status.rawValue) with endTime \(end ?? "none")") }
    }

    static func reachable(from status: JobStatus) -> Set<JobStatus> {
        var found: Set<JobStatus> = []
        var next = status.possibleNext + (status == .submitted || status == .validating || status == .scheduled ? [.expired] : [])
        while let candidate = next.popLast() {
            guard found.insert(candidate).inserted else { continue }
            next += candidate.possibleNext
        }
        return found
    }
}
