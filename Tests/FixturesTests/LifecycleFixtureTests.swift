import Fixtures
import Testing
import JSON
import ServiceModel

/// The phases before InProgress, for lifecycles that test what comes after.
let ready = #"{"status": "Submitted", "for": "1m"}, {"status": "Validating", "for": "1m"}, {"status": "Scheduled", "for": "1m"}, "#

@Suite struct LifecycleFixtureTests {
    /// The sample job without the members a lifecycle computes.
    static var dynamicJob: JSONValue {
        var job = FixtureSamples.job
        for name in ["status", "lastModifiedTime", "endTime", "jobExpirationTime", "processedRecordCount", "successRecordCount", "errorRecordCount"] {
            job = job.removing(name)
        }
        return job
    }

    private func decode(_ job: JSONValue, defaultSubmitTime: Timestamp? = nil) -> ([FixtureJob], [String]) {
        let (jobs, errors) = FixtureLoader.decode(FixtureSamples.file(job), file: "f.json", defaultSubmitTime: defaultSubmitTime)
        return (jobs, errors.map(\.description))
    }

    private func phases(_ phases: String) -> JSONValue {
        Self.dynamicJob.replacingOrAdding("lifecycle", with: try! JSONParser.parse(phases))
    }

    @Test func aJobWithAStatusAndNoLifecycleIsStatic() {
        let (jobs, errors) = decode(FixtureSamples.job)
        #expect(errors.isEmpty)
        #expect(jobs.first?.behaviour == .static)
    }

    @Test func aJobWithNeitherStatusNorLifecycleFollowsTheDefaultToItsOutcome() {
        #expect(decode(Self.dynamicJob).0.first?.behaviour == .defaultLifecycle(.completed))
        let failing = Self.dynamicJob.replacingOrAdding("outcome", with: .string("Failed"))
        #expect(decode(failing).0.first?.behaviour == .defaultLifecycle(.failed))
    }

    @Test func decodesPhasesWithDurationsPollsMessagesAndFilledCounts() {
        // when
        let (jobs, errors) = decode(
            phases(
                #"""
                [{"status": "Submitted", "for": "1h30m"}, {"status": "Validating", "polls": 2},
                 {"status": "Scheduled", "for": "250ms"}, {"status": "InProgress", "for": "1.5d"},
                 {"status": "PartiallyCompleted", "processedRecordCount": 80, "errorRecordCount": 3, "message": "timed out"}]
                """#))
        // then
        #expect(errors == [])
        #expect(
            jobs.first?.behaviour
                == .lifecycle(
                    LifecycleSpec(phases: [
                        PhaseSpec(status: .submitted, length: .duration(milliseconds: 5_400_000)),
                        PhaseSpec(status: .validating, length: .polls(2)),
                        PhaseSpec(status: .scheduled, length: .duration(milliseconds: 250)),
                        PhaseSpec(status: .inProgress, length: .duration(milliseconds: 129_600_000)),
                        PhaseSpec(status: .partiallyCompleted, length: .final, message: "timed out", processedRecordCount: 80, successRecordCount: 77, errorRecordCount: 3),
                    ])))
    }

    @Test(arguments: [
        (
            #"[{"status": "Submitted", "for": "1m", "after": "2m"}, {"status": "Failed"}]"#,
            "jobs[0].lifecycle[0].after: unknown phase key (allowed: status, for, polls, message, processedRecordCount, successRecordCount, errorRecordCount)"
        ),
        (
            #"[{"status": "Running", "for": "1m"}, {"status": "Failed"}]"#,
            "jobs[0].lifecycle[0].status: 'Running' is not a status (one of Submitted, Validating, Scheduled, InProgress, Completed, PartiallyCompleted, Failed, Stopping, Stopped, Expired)"
        ),
        (#"[{"for": "1m"}, {"status": "Failed"}]"#, "jobs[0].lifecycle[0].status: required member is missing"),
        (
            #"[{"status": "Submitted", "for": "1m"}, {"status": "InProgress"}]"#,
            "jobs[0].lifecycle[1].status: AWS does not move a job from Submitted to InProgress (Submitted is followed by Validating, Failed, Stopping, Stopped)"
        ),
        (#"[{"status": "Validating", "for": "1m"}, {"status": "Failed"}]"#, "jobs[0].lifecycle[0].status: a job starts Submitted: the first phase is Submitted"),
        (
            #"[{"status": "Submitted", "for": "1m"}, {"status": "Expired"}]"#,
            "jobs[0].lifecycle[1].status: Expired is not a phase: a job becomes Expired by itself when its timeout passes while it is Submitted, Validating or Scheduled"
        ),
        (
            #"[\#(ready){"status": "InProgress", "for": "1m", "processedRecordCount": 50}, {"status": "Stopping", "for": "1m", "processedRecordCount": 40}, {"status": "Stopped"}]"#,
            "jobs[0].lifecycle[4]: record counts never go down: lifecycle[3] has processed 50, success 50, error 0"
        ),
        (
            #"[\#(ready){"status": "InProgress", "for": "1m", "processedRecordCount": 50}, {"status": "Completed"}]"#,
            "jobs[0].lifecycle[4]: a Completed job has processed all 100 records, but lifecycle[3] leaves it at 50"
        ),
        (
            #"[\#(ready){"status": "InProgress", "for": "1m", "processedRecordCount": 100}, {"status": "PartiallyCompleted"}]"#,
            "jobs[0].lifecycle[4]: a PartiallyCompleted job has processed fewer than its 100 records, but lifecycle[3] leaves it at 100"
        ),
        (
            #"[{"status": "Submitted", "for": "1m"}, {"status": "Failed", "for": "1m"}, {"status": "Stopped"}]"#,
            "jobs[0].lifecycle[2].status: AWS does not move a job from Failed to Stopped (Failed is terminal: it must be the last phase)"
        ),
        (#"[{"status": "Submitted", "for": "1m"}]"#, "jobs[0].lifecycle[0]: the last phase has no for or polls: it is where the job stays"),
        (#"[{"status": "Submitted"}, {"status": "Failed"}]"#, "jobs[0].lifecycle[0]: only the last phase may have no length: give for or polls"),
        (
            #"[{"status": "Submitted", "for": "1m", "polls": 2}, {"status": "Failed"}]"#,
            "jobs[0].lifecycle[0]: a phase lasts either for a duration or for a number of polls, not both"
        ),
        (
            #"[{"status": "Submitted", "for": "90x"}, {"status": "Failed"}]"#,
            "jobs[0].lifecycle[0].for: '90x' is not a positive duration (a number and ms, s, m, h or d, e.g. \"90s\")"
        ),
        (
            #"[{"status": "Submitted", "for": "0s"}, {"status": "Failed"}]"#,
            "jobs[0].lifecycle[0].for: '0s' is not a positive duration (a number and ms, s, m, h or d, e.g. \"90s\")"
        ),
        (#"[{"status": "Submitted", "polls": 0}, {"status": "Failed"}]"#, "jobs[0].lifecycle[0].polls: expected a whole number of Gets, at least 1"),
        (
            #"[{"status": "Submitted", "for": "1m", "processedRecordCount": 5}, {"status": "Failed"}]"#,
            "jobs[0].lifecycle[0]: record counts start with InProgress; a Submitted phase cannot set them"
        ),
        (
            #"[\#(ready){"status": "InProgress", "for": "1m"}, {"status": "Completed", "processedRecordCount": 10, "successRecordCount": 9, "errorRecordCount": 2}]"#,
            "jobs[0].lifecycle[4]: successRecordCount + errorRecordCount must equal processedRecordCount"
        ),
        (
            #"[\#(ready){"status": "InProgress", "for": "1m"}, {"status": "Completed", "processedRecordCount": 99}]"#,
            "jobs[0].lifecycle[4].processedRecordCount: a Completed job has processed all 100 records"
        ),
        (
            #"[\#(ready){"status": "InProgress", "for": "1m"}, {"status": "PartiallyCompleted", "processedRecordCount": 100}]"#,
            "jobs[0].lifecycle[4].processedRecordCount: a PartiallyCompleted job has processed fewer than its 100 records"
        ),
        (
            #"[\#(ready){"status": "InProgress", "for": "1m"}, {"status": "Failed", "processedRecordCount": 101}]"#,
            "jobs[0].lifecycle[4].processedRecordCount: 101 is more than the job's totalRecordCount 100"
        ),
        (
            #"[{"status": "Submitted", "for": "1m", "message": 5}, {"status": "Failed"}]"#,
            "jobs[0].lifecycle[0].message: expected a string of at most 2048 characters"
        ),
        (#"[]"#, #"jobs[0].lifecycle: expected a non-empty array of phases such as {"status": "Submitted", "for": "90s"}"#),
    ])
    func reportsEachLifecycleProblemWithItsPath(lifecycle: String, expected: String) {
        #expect(decode(phases(lifecycle)).1 == ["f.json: " + expected])
    }

    @Test func refusesMembersTheClockComputesAndConflictingChoices() {
        // given
        let job = phases(#"[{"status": "Submitted", "for": "1m"}, {"status": "Failed"}]"#)
            .replacingOrAdding("status", with: .string("Completed"))
            .replacingOrAdding("endTime", with: .string("2026-03-01T12:00:00Z"))
            .replacingOrAdding("outcome", with: .string("Failed"))
        // then
        #expect(
            decode(job).1 == [
                "f.json: jobs[0].status: a job with a lifecycle or outcome takes its status from the clock: remove status, or remove lifecycle and outcome to serve the job as written",
                "f.json: jobs[0].endTime: computed from the job's lifecycle: remove it, or give the job a status to serve it as written",
                "f.json: jobs[0].outcome: outcome picks the default lifecycle: a job with a lifecycle cannot have one",
            ])
        #expect(
            decode(Self.dynamicJob.replacingOrAdding("outcome", with: .string("Done"))).1 == [
                "f.json: jobs[0].outcome: must be one of Completed, PartiallyCompleted, Failed, Expired, Stopped"
            ])
    }

    @Test func aJobOnTheClockWithoutSubmitTimeIsSubmittedAtTheClockStart() throws {
        // given
        let job = Self.dynamicJob.removing("submitTime")
        let start = try #require(Timestamp(iso8601: "2026-05-01T08:00:00Z"))
        // then
        #expect(decode(job, defaultSubmitTime: start).0.first?.record.submitTime.description == "2026-05-01T08:00:00.000Z")
        #expect(decode(job).1 == ["f.json: jobs[0].submitTime: required member is missing"])
        #expect(
            decode(FixtureSamples.job.removing("submitTime"), defaultSubmitTime: start).1 == [
                "f.json: jobs[0].submitTime: required member is missing"
            ])
    }

    @Test func parsesDurationsForPeople() {
        #expect(DurationText.milliseconds("90s") == 90_000)
        #expect(DurationText.milliseconds("1h30m") == 5_400_000)
        #expect(DurationText.milliseconds("250ms") == 250)
        #expect(DurationText.milliseconds("0.5d") == 43_200_000)
        for bad in ["", "90", "m", "-5m", "5 m", "1y", "1e3s"] {
            #expect(DurationText.milliseconds(bad) == nil, "\(bad)")
        }
        #expect(DurationText.text(milliseconds: 5_400_000) == "90m")
        #expect(DurationText.text(milliseconds: 1500) == "1500ms")
    }
}

extension JSONValue {
    func removing(_ key: String) -> JSONValue {
        guard case .object(let members) = self else { return self }
        return .object(members.filter { $0.key != key })
    }

    func replacingOrAdding(_ key: String, with value: JSONValue) -> JSONValue {
        guard case .object(var members) = self else { return self }
        if let index = members.firstIndex(where: { $0.key == key }) {
            members[index].value = value
        } else {
            members.append(JSONMember(key, value))
        }
        return .object(members)
    }
}
