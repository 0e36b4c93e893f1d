import Fixtures
import MockBedrock
import Testing

/// The status changes a lifecycle passes through up to an instant: what events will report.
@Suite struct LifecycleTransitionsTests {
    let minute: Int64 = 60_000
    let submit: Int64 = 1_772_359_200_000  // 2026-03-01T10:00:00Z

    func changes(_ lifecycle: Lifecycle, upTo offset: Int64, _ progress: LifecycleProgress? = nil) -> [(JobStatus, Int64)] {
        lifecycle.transitions(submit: submit, upTo: submit + offset, progress: progress ?? LifecycleProgress(phaseCount: lifecycle.phases.count))
            .map { ($0.status, $0.at - submit) }
    }

    @Test func aJumpOfThreeHoursGivesEachChangeInOrderAtItsOwnInstant() {
        // given the default lifecycle to Completed, when the clock has jumped 3 h
        let found = changes(Lifecycle(phases: Lifecycle.defaultPhases(.completed)), upTo: 180 * minute)
        // then
        #expect(found.map(\.0) == [.submitted, .validating, .scheduled, .inProgress, .completed])
        #expect(found.map(\.1) == [0, 5 * minute, 15 * minute, 45 * minute, 165 * minute])
    }

    @Test(arguments: LifecycleOutcome.allCases)
    func everyOutcomeAgreesWithPositionAtEveryMinuteAndOnlyGrows(outcome: LifecycleOutcome) {
        let lifecycle = Lifecycle(phases: Lifecycle.defaultPhases(outcome), timeoutHours: 24)
        var earlier: [(JobStatus, Int64)] = []
        for offset in stride(from: Int64(0), through: 26 * 60 * minute, by: Int(7 * minute)) {
            let found = changes(lifecycle, upTo: offset)
            var progress = LifecycleProgress(phaseCount: lifecycle.phases.count)
            let position = lifecycle.position(submit: submit, now: submit + offset, progress: &progress, isPoll: false)
            // the last change is where a Get stands; instants rise; statuses alternate; earlier lists are prefixes
            #expect(found.last?.0 == position.status && found.last?.1 == position.since - submit, "\(outcome) at +\(offset)")
            #expect(zip(found, found.dropFirst()).allSatisfy { $0.1 < $1.1 && $0.0 != $1.0 })
            #expect(found.count >= earlier.count && zip(found, earlier).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 })
            earlier = found
        }
        let last: [LifecycleOutcome: JobStatus] = [
            .completed: .completed, .partiallyCompleted: .partiallyCompleted, .failed: .failed, .expired: .expired, .stopped: .stopped,
        ]
        #expect(earlier.last?.0 == last[outcome])
    }

    @Test func aJobThatTimesOutInProgressEndsAtItsTimeout() {
        let lifecycle = Lifecycle(
            phases: [
                PhaseSpec(status: .submitted, length: .duration(milliseconds: minute)),
                PhaseSpec(status: .inProgress, length: .duration(milliseconds: 48 * 60 * minute)),
                PhaseSpec(status: .completed, length: .final),
            ], timeoutHours: 24)
        let found = changes(lifecycle, upTo: 30 * 60 * minute)
        #expect(found.map(\.0) == [.submitted, .inProgress, .partiallyCompleted])
        #expect(found.last?.1 == 24 * 60 * minute)
    }

    @Test func aPollsPhaseChangesOnlyOnceItsGetsHaveEndedIt() {
        let lifecycle = Lifecycle(phases: [
            PhaseSpec(status: .submitted, length: .polls(2)), PhaseSpec(status: .validating, length: .duration(milliseconds: minute)),
            PhaseSpec(status: .failed, length: .final, message: "bad input"),
        ])
        var progress = LifecycleProgress(phaseCount: 3)
        #expect(changes(lifecycle, upTo: 10 * minute, progress).map(\.0) == [.submitted])
        for offset in [Int64(1), 2 * minute] {
            _ = lifecycle.position(submit: submit, now: submit + offset, progress: &progress, isPoll: true)
        }
        #expect(changes(lifecycle, upTo: 10 * minute, progress).map(\.0) == [.submitted, .validating, .failed])
        #expect(changes(lifecycle, upTo: 10 * minute, progress).map(\.1) == [0, 2 * minute, 3 * minute])
    }
}
