import BatchData
import Fixtures
import ServiceModel

/// A job's input data as far as the mock has got: not read yet, refused by Validating, or read;
/// and the results written, or the write that failed.
struct JobData: Sendable {
    enum Scan: Sendable {
        case pending
        case failed(String)
        /// The scan, and the lifecycle over its records.
        case ready(InputScan, Lifecycle)
    }

    var scan: Scan = .pending
    /// The processed count whose results are written.
    var written: Int?
    var writeFailure: String?
    /// The share of records picked to fail (the fixture's counts or a fault rule).
    var errorShare: Double
}

/// Work a job's data needs before the job can be served at the clock's time.
enum DataNeed: Sendable, Hashable {
    case scan
    case write(processed: Int)
}

extension Job {
    /// The record served at clock time `now`, a key for the state it shows (nil: do not cache), and
    /// the data work it waits for. A Get (`isPoll`) counts toward a `polls` phase only when no work
    /// is returned: the caller does the work and asks again with the same `isPoll`. A job with data is served, until that work is done, as it was
    /// just before the instant the work belongs to (still Validating, still InProgress, still
    /// Stopping): a client never sees a status whose data is not there yet.
    mutating func snapshot(at now: Int64, isPoll: Bool) -> (record: JobRecord, key: Int?, need: DataNeed?) {
        guard let data, let lifecycle else {
            let (record, key) = lifecycleSnapshot(at: now, isPoll: isPoll)
            return (record, key, nil)
        }
        if let stop, now >= stop.at {
            var served = lifecycleSnapshot(at: now, isPoll: isPoll).record
            guard served.status == .stopped, case .ready = data.scan, let processed = served.processedRecordCount else { return (served, nil, nil) }
            if data.written == Int(processed) || data.writeFailure != nil { return (served, nil, nil) }
            served.status = .stopping
            served.lastModifiedTime = Timestamp(milliseconds: stop.at)
            served.endTime = nil
            return (served, nil, .write(processed: Int(processed)))
        }
        let submit = record.submitTime.milliseconds
        // Before the job leaves Validating (as far as the Gets so far tell), the lifecycle alone
        // decides, and this Get counts; its input's counts are 0 while it is Validating.
        guard let leave = lifecycle.validationEnd(submit: submit, progress: progress), now >= leave, leave <= submit + lifecycle.timeoutMillis else {
            var served = lifecycleSnapshot(at: now, isPoll: isPoll).record
            if served.status == .validating, served.totalRecordCount == nil {
                Self.setNoRecords(&served)
            }
            return (served, nil, nil)
        }
        // After it, the data decides. A Get counts toward the phases only once the input is read:
        // one shown as Validating while the read is pending must not move the phases after it.
        switch data.scan {
        case .pending:
            var served = lifecycleSnapshot(at: max(submit, leave - 1), isPoll: false).record
            Self.setNoRecords(&served)
            return (served, nil, .scan)
        case .failed(let message):
            return (failed(at: leave, message: message, lifecycle: lifecycle), nil, nil)
        case .ready(let scan, let dataLifecycle):
            // A Get counts only when it is answered with this position (no data work pending): counted
            // here, the same instant's position again (counting returns the phase it counted in).
            let position = dataLifecycle.position(submit: submit, now: now, progress: &progress, isPoll: false)
            var served = self.served(position, dataLifecycle)
            Self.setCounts(&served, processed: position.counts?.processed, scan)
            // Results are written for a job that finished with records processed: Completed,
            // PartiallyCompleted, and a lifecycle that ends Stopped (a StopModelInvocationJob is above).
            guard [.completed, .partiallyCompleted, .stopped].contains(position.status) else {
                if isPoll { _ = dataLifecycle.position(submit: submit, now: now, progress: &progress, isPoll: true) }
                return (served, nil, nil)
            }
            let processed = Int(position.counts?.processed ?? 0)
            if let failure = data.writeFailure { return (failed(at: position.since, message: failure, lifecycle: lifecycle), nil, nil) }
            if data.written == processed {
                if isPoll { _ = dataLifecycle.position(submit: submit, now: now, progress: &progress, isPoll: true) }
                return (served, nil, nil)
            }
            let before = dataLifecycle.position(submit: submit, now: max(submit, position.since - 1), progress: &progress, isPoll: false)
            var waiting = self.served(before, dataLifecycle)
            Self.setCounts(&waiting, processed: before.counts?.processed, scan)
            return (waiting, nil, .write(processed: processed))
        }
    }

    /// The status a job with data has reached on its lifecycle at `now` when it is one whose results
    /// are written (Completed, PartiallyCompleted, Stopped), whether or not they are written yet.
    func endingStatus(at now: Int64) -> JobStatus? {
        guard case .ready(_, let dataLifecycle)? = data?.scan else { return nil }
        var progress = self.progress  // a look, not a poll
        let status = dataLifecycle.position(submit: record.submitTime.milliseconds, now: now, progress: &progress, isPoll: false).status
        return [.completed, .partiallyCompleted, .stopped].contains(status) ? status : nil
    }

    /// The counts of a job whose input was read: the records found, and of the first `processed`
    /// (none before InProgress) those that fail and those that do not.
    static func setCounts(_ served: inout JobRecord, processed: Int64?, _ scan: InputScan) {
        let processed = processed ?? 0
        let errors = Int64(scan.errors(amongFirst: Int(processed)))
        served.totalRecordCount = Int64(scan.totalRecords)
        served.processedRecordCount = processed
        served.errorRecordCount = errors
        served.successRecordCount = processed - errors
    }

    /// The job Failed at `at` with `message` and no records.
    private func failed(at instant: Int64, message: String, lifecycle: Lifecycle) -> JobRecord {
        let position = LifecyclePosition(phaseIndex: nil, status: .failed, since: instant, message: message, counts: .zero, isChanging: false)
        var served = served(position, lifecycle)
        Self.setNoRecords(&served)
        return served
    }

    /// All four counts 0: a job whose input is not read yet, or was refused.
    static func setNoRecords(_ served: inout JobRecord) {
        (served.totalRecordCount, served.processedRecordCount, served.successRecordCount, served.errorRecordCount) = (0, 0, 0, 0)
    }
}
