import Fixtures
import MockBedrock
import Testing

@Suite struct LifecycleTests {
    let minute: Int64 = 60_000
    let submit: Int64 = 1_772_359_200_000  // 2026-03-01T10:00:00Z

    private func position(_ lifecycle: Lifecycle, at offset: Int64, _ progress: inout LifecycleProgress, poll: Bool = true) -> LifecyclePosition {
        lifecycle.position(submit: submit, now: submit + offset, progress: &progress, isPoll: poll)
    }

    private func statusAndSince(_ lifecycle: Lifecycle, at offset: Int64) -> (JobStatus, Int64) {
        var progress = LifecycleProgress(phaseCount: lifecycle.phases.count)
        let at = position(lifecycle, at: offset, &progress)
        return (at.status, at.since - submit)
    }

    @Test func defaultLifecycleChangesStatusExactlyAtEachBoundary() {
        // given: Submitted 5m, Validating 10m, Scheduled 30m, InProgress 2h, Completed
        let lifecycle = Lifecycle(phases: Lifecycle.defaultPhases(.completed))
        // then: the last millisecond of a phase is still that phase; its end is the next one
        let expectations: [(Int64, JobStatus, Int64)] = [
            (0, .submitted, 0), (5 * minute - 1, .submitted, 0), (5 * minute, .validating, 5 * minute),
            (15 * minute - 1, .validating, 5 * minute), (15 * minute, .scheduled, 15 * minute),
            (45 * minute - 1, .scheduled, 15 * minute), (45 * minute, .inProgress, 45 * minute),
            (165 * minute - 1, .inProgress, 45 * minute), (165 * minute, .completed, 165 * minute),
            (10_000 * minute, .completed, 165 * minute),
        ]
        for (offset, status, since) in expectations {
            let (actual, actualSince) = statusAndSince(lifecycle, at: offset)
            #expect(actual == status, "at +\(offset) ms")
            #expect(actualSince == since, "at +\(offset) ms")
        }
    }

    @Test func recordCountsRiseDuringInProgressAndEndWithTheOutcome() {
        // given
        let completed = Lifecycle(phases: Lifecycle.defaultPhases(.completed), totalRecordCount: 1000)
        let partial = Lifecycle(phases: Lifecycle.defaultPhases(.partiallyCompleted), totalRecordCount: 1000)
        var progress = LifecycleProgress(phaseCount: 5)
        // then
        #expect(position(completed, at: 44 * minute, &progress).counts == nil)
        #expect(position(completed, at: 45 * minute, &progress).counts == RecordCounts(processed: 0, success: 0, error: 0))
        #expect(position(completed, at: 105 * minute, &progress).counts == RecordCounts(processed: 500, success: 500, error: 0))
        #expect(position(completed, at: 105 * minute, &progress).isChanging)
        #expect(position(completed, at: 165 * minute, &progress).counts == RecordCounts(processed: 1000, success: 1000, error: 0))
        #expect(!position(completed, at: 165 * minute, &progress).isChanging)
        #expect(position(partial, at: 165 * minute, &progress).counts == RecordCounts(processed: 800, success: 800, error: 0))
        #expect(position(partial, at: 165 * minute, &progress).message != nil)
    }

    @Test func aPollsPhaseIsSeenByExactlyNGetsAndTheNextBeginsAtTheNth() {
        // given: a frozen clock, so only Gets move the job
        let lifecycle = Lifecycle(phases: [
            PhaseSpec(status: .submitted, length: .polls(3)),
            PhaseSpec(status: .validating, length: .duration(milliseconds: minute)),
            PhaseSpec(status: .failed, length: .final, message: "bad input"),
        ])
        var progress = LifecycleProgress(phaseCount: 3)
        // when / then
        #expect(position(lifecycle, at: 0, &progress, poll: false).status == .submitted)  // not a Get: not counted
        #expect(position(lifecycle, at: 10, &progress).status == .submitted)
        #expect(position(lifecycle, at: 20, &progress).status == .submitted)
        #expect(position(lifecycle, at: 30, &progress).status == .submitted)  // the 3rd Get
        let fourth = position(lifecycle, at: 40, &progress)
        #expect(fourth.status == .validating)
        #expect(fourth.since == submit + 30)
        #expect(position(lifecycle, at: 30 + minute - 1, &progress).status == .validating)
        let failed = position(lifecycle, at: 30 + minute, &progress)
        #expect(failed.status == .failed)
        #expect(failed.message == "bad input")
    }

    @Test func anInProgressPhaseWithItsOwnCountsRisesToThem() {
        let lifecycle = Lifecycle(
            phases: [
                PhaseSpec(status: .inProgress, length: .duration(milliseconds: 100), processedRecordCount: 60, successRecordCount: 50, errorRecordCount: 10),
                PhaseSpec(status: .stopping, length: .final),
            ], totalRecordCount: 100)
        var progress = LifecycleProgress(phaseCount: 2)
        #expect(position(lifecycle, at: 50, &progress).counts == RecordCounts(processed: 30, success: 25, error: 5))
        #expect(position(lifecycle, at: 100, &progress).counts == RecordCounts(processed: 60, success: 50, error: 10))
    }

    @Test func countsOfAPollsInProgressPhaseRiseWithEachGet() {
        let lifecycle = Lifecycle(
            phases: [
                PhaseSpec(status: .inProgress, length: .polls(4)),
                PhaseSpec(status: .completed, length: .final, processedRecordCount: 100, successRecordCount: 96, errorRecordCount: 4),
            ], totalRecordCount: 100)
        var progress = LifecycleProgress(phaseCount: 2)
        let processed = (0..<5).map { _ in position(lifecycle, at: 0, &progress).counts!.processed }
        #expect(processed == [0, 25, 50, 75, 100])
        #expect(position(lifecycle, at: 0, &progress).counts == RecordCounts(processed: 100, success: 96, error: 4))
    }

    @Test func aJobWaitingToRunExpiresAtItsTimeout() {
        // given: 24 hours, still Scheduled then
        let lifecycle = Lifecycle(phases: Lifecycle.defaultPhases(.expired), timeoutHours: 24)
        let timeout = 24 * 60 * minute
        // then
        #expect(statusAndSince(lifecycle, at: timeout - 1) == (.scheduled, 15 * minute))
        #expect(statusAndSince(lifecycle, at: timeout) == (.expired, timeout))
        #expect(statusAndSince(lifecycle, at: timeout * 3) == (.expired, timeout))
    }

    @Test func aJobInProgressAtItsTimeoutEndsPartiallyCompletedWithWhatItProcessed() {
        // given: in progress from 23h on, for 2h, toward all 1000 records
        let lifecycle = Lifecycle(
            phases: [
                PhaseSpec(status: .submitted, length: .duration(milliseconds: 23 * 60 * minute)),
                PhaseSpec(status: .inProgress, length: .duration(milliseconds: 120 * minute)),
                PhaseSpec(status: .completed, length: .final),
            ], timeoutHours: 24, totalRecordCount: 1000)
        var progress = LifecycleProgress(phaseCount: 3)
        // then
        #expect(position(lifecycle, at: 24 * 60 * minute - 1, &progress).status == .inProgress)
        let ended = position(lifecycle, at: 30 * 60 * minute, &progress)
        #expect(ended.status == .partiallyCompleted)
        #expect(ended.since == submit + 24 * 60 * minute)
        #expect(ended.counts == RecordCounts(processed: 500, success: 500, error: 0))
        #expect(ended.message == "The job reached its timeout of 24 hours before all records were processed.")
    }

    @Test func aJobThatStartsExactlyAtItsTimeoutExpires() {
        let lifecycle = Lifecycle(
            phases: [
                PhaseSpec(status: .submitted, length: .duration(milliseconds: 24 * 60 * minute)),
                PhaseSpec(status: .inProgress, length: .final),
            ], timeoutHours: 24)
        #expect(statusAndSince(lifecycle, at: 24 * 60 * minute) == (.expired, 24 * 60 * minute))
    }

    /// A total near Int64.max neither traps nor wraps: counts stay within 0...total, successes and
    /// errors add up, and they rise with time.
    @Test func countsOfAHugeTotalDoNotOverflow() {
        for outcome in LifecycleOutcome.allCases {
            let lifecycle = Lifecycle(phases: Lifecycle.defaultPhases(outcome), totalRecordCount: Int64.max)
            var before: Int64 = 0
            for offset in [46 * minute, 100 * minute, 165 * minute, 300 * minute] {
                var progress = LifecycleProgress(phaseCount: lifecycle.phases.count)
                guard let counts = position(lifecycle, at: offset, &progress).counts else { continue }
                #expect(counts.processed >= before && counts.processed <= Int64.max, "\(outcome) at \(offset)")
                #expect(counts.success >= 0 && counts.error >= 0 && counts.success <= counts.processed - counts.error, "\(outcome) at \(offset)")
                before = counts.processed
            }
            if outcome == .completed {
                var progress = LifecycleProgress(phaseCount: lifecycle.phases.count)
                #expect(position(lifecycle, at: 300 * minute, &progress).counts?.processed == Int64.max)
            }
        }
    }

    @Test func successesAndErrorsEachOnlyRise() {
        let lifecycle = Lifecycle(
            phases: [
                PhaseSpec(status: .inProgress, length: .duration(milliseconds: 1_000_000)),
                PhaseSpec(status: .partiallyCompleted, length: .final, processedRecordCount: 9, successRecordCount: 1, errorRecordCount: 8),
            ], totalRecordCount: 10)
        var last = RecordCounts.zero
        for offset in stride(from: Int64(0), through: 1_000_000, by: 10_000) {
            var progress = LifecycleProgress(phaseCount: 2)
            let counts = position(lifecycle, at: offset, &progress).counts!
            #expect(counts.success >= last.success && counts.error >= last.error && counts.processed == counts.success + counts.error)
            last = counts
        }
        #expect(last == RecordCounts(processed: 9, success: 1, error: 8))
    }

    @Test func aPollsPhaseWaitingToRunExpiresToo() {
        let lifecycle = Lifecycle(phases: [PhaseSpec(status: .submitted, length: .polls(5)), PhaseSpec(status: .validating, length: .final)], timeoutHours: 24)
        var progress = LifecycleProgress(phaseCount: 2)
        #expect(position(lifecycle, at: 24 * 60 * minute, &progress).status == .expired)
    }

    @Test func stoppedOutcomeFreezesCountsWhenStopping() {
        let lifecycle = Lifecycle(phases: Lifecycle.defaultPhases(.stopped), totalRecordCount: 1000)
        var progress = LifecycleProgress(phaseCount: lifecycle.phases.count)
        let stopping = position(lifecycle, at: 105 * minute, &progress)
        #expect(stopping.status == .stopping)
        #expect(stopping.counts == RecordCounts(processed: 400, success: 400, error: 0))
        let stopped = position(lifecycle, at: 107 * minute, &progress)
        #expect(stopped.status == .stopped)
        #expect(stopped.counts == stopping.counts)
    }

    @Test func clockRunsAtItsRateAndCanBeFrozenSetAndAdvanced() {
        // given: real time in nanoseconds, made up
        var clock = LifecycleClock(startMillis: submit, rate: 3600, realNow: 1_000_000_000)
        // then: one real second is an hour
        #expect(clock.now(realNow: 2_000_000_000) == submit + 3_600_000)
        clock.setRate(0, realNow: 2_000_000_000)
        #expect(clock.now(realNow: 9_000_000_000) == submit + 3_600_000)
        clock.advance(by: 90 * minute, realNow: 9_000_000_000)
        #expect(clock.now(realNow: 10_000_000_000) == submit + 3_600_000 + 90 * minute)
        clock.set(submit, realNow: 10_000_000_000)
        clock.setRate(1, realNow: 10_000_000_000)
        #expect(clock.now(realNow: 10_500_000_000) == submit + 500)
        clock.setRate(1e9, realNow: 10_500_000_000)
        #expect(clock.now(realNow: UInt64.max) == LifecycleClock.end)
    }
}
