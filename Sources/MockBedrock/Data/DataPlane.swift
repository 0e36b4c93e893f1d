import BatchData
import Dispatch
import Fixtures
import Logging
import S3
import Sync

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A step of data work as the journal shows it.
struct DataStep: Sendable {
    let jobId: String?
    /// `ReadInput` or `WriteOutput`; for a retry, S3's operation (`GetObject`, `PutObject`, ...).
    let operation: String
    /// GET for a read, PUT for a write, the request's method for a retry.
    let method: String
    let location: String
    /// Nil for a retry after no answer (a connection that failed, a timeout).
    let status: Int?
    let errorCode: String?
    /// A retry's: the attempt that failed and the most attempts.
    var attempt: Int? = nil
    var maxAttempts: Int? = nil
}

/// Why the data plane cannot start, in a sentence for the command line.
public struct DataSetupError: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// One piece of data work for a job, with all it needs (the job's record may change meanwhile).
struct DataWork: Sendable {
    let jobId: String
    /// The store's generation when the work was asked for: a reset makes the result stale.
    let generation: Int
    let need: DataNeed
    let record: JobRecord
    /// The job's own response rules.
    let responses: [ResponseRule]
    let errorShare: Double
    let scan: InputScan?
}

/// What data work found.
enum DataResult: Sendable {
    case scanned(InputScan)
    case scanFailed(String)
    case written(processed: Int)
    case writeFailed(String)

    var isFailure: Bool {
        switch self {
        case .scanned, .written: false
        case .scanFailed, .writeFailed: true
        }
    }
}

/// The data plane: reads each job's input at the end of Validating and writes its results when it
/// finishes, through an object store. Work runs on a few background lanes and never on a request's
/// thread: a request that needs it starts it (`start`) and is told when it ends (`DataCompletion`);
/// the server suspends the connection meanwhile, for `waitSeconds` at most (then the job is served
/// as it was before, see `Job.snapshot`). Work for one job runs once however many requests ask for
/// it. Each piece has a time limit (`timeLimitSeconds`), and a reset abandons the work under way
/// (it stops at its next chunk or S3 call and its result is dropped): no new job waits behind it.
public final class DataPlane: Sendable {
    public let store: any ObjectStore
    public let limits: DataLimits
    public let waitSeconds: Double
    /// The longest one piece of data work (a job's input read, or its results written) may take;
    /// past it the job fails with a message that says so.
    public let timeLimitSeconds: Double
    /// The responder of a job: its record and its own response rules.
    let responders: @Sendable (JobRecord, [ResponseRule]) -> any RecordResponder
    /// Lines for the access log: the store's reads and writes.
    let log: @Sendable (String) -> Void
    /// The work under way or queued, each with the completions that wait for it.
    private let inFlight = Locked<[WorkKey: Waiters]>([:])

    /// The completions waiting for one piece of work. Those whose request is gone are dropped when
    /// the list has doubled since the last look, so it holds about twice the live waiters at most,
    /// at a linear cost.
    private struct Waiters {
        var completions: [DataCompletion] = []
        var pruneAt = 64

        mutating func add(_ completion: DataCompletion) {
            if completions.count >= pruneAt {
                completions.removeAll { $0.isForgotten }
                pruneAt = max(64, completions.count * 2)
            }
            completions.append(completion)
        }
    }
    /// The service's fault rules, for the rules about data, and its journal, which shows each read of
    /// an input and each write of results (set when the service is made).
    let faults = Locked<FaultBook?>(nil)
    let journal = Locked<(@Sendable (DataStep) -> Void)?>(nil)
    /// Work runs on a few serial lanes, a job always on the same one: a List over thousands of jobs
    /// whose inputs must be read starts their work without starting thousands of threads, and two
    /// pieces of one job's work never run at once. The price: a job whose store is slow delays the
    /// jobs behind it on its lane (each piece is bounded by `timeLimitSeconds`, each S3 call by the
    /// client's timeouts); four lanes keep that to a quarter of the jobs. A reset makes new lanes, so
    /// that the jobs after it never wait behind work of the jobs before it.
    private let lanes: Locked<Lanes>
    static let laneCount = 4

    private struct Lanes {
        /// The store generation the lanes serve: work of an older one is abandoned.
        var generation = 0
        var queues: [DispatchQueue]
        var made = 0

        mutating func renew(for generation: Int) {
            self.generation = generation
            made += 1
            queues = Lanes.make(made)
        }

        static func make(_ round: Int) -> [DispatchQueue] {
            (0..<DataPlane.laneCount).map { DispatchQueue(label: "mock-bedrock.data.\(round).\($0)") }
        }
    }

    /// One piece of work, whichever request asked for it.
    private struct WorkKey: Hashable {
        let generation: Int
        let jobId: String
        let need: DataNeed

        init(_ work: DataWork) {
            generation = work.generation
            jobId = work.jobId
            need = work.need
        }
    }

    public init(
        store: any ObjectStore, limits: DataLimits = DataLimits(), waitSeconds: Double = 10, timeLimitSeconds: Double = DataConfiguration.defaultTimeLimitSeconds,
        responders: @escaping @Sendable (JobRecord, [ResponseRule]) -> any RecordResponder, log: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.store = store
        self.limits = limits
        self.waitSeconds = waitSeconds
        self.timeLimitSeconds = timeLimitSeconds
        self.responders = responders
        self.log = log
        self.lanes = Locked(Lanes(queues: Lanes.make(0)))
    }

    /// The instant (`Monotonic.now()` nanoseconds) a request that begins now stops waiting for data
    /// work: `waitSeconds` from now, one bound for all the work the request asks for.
    func waitDeadline() -> UInt64 {
        Monotonic.now() &+ Self.nanoseconds(waitSeconds)
    }

    /// Seconds (checked by the configuration: 0 to a day or so) as nanoseconds, saturating.
    static func nanoseconds(_ seconds: Double) -> UInt64 {
        guard seconds.isFinite, seconds > 0 else { return 0 }
        return seconds >= 1e9 ? UInt64(1e18) : UInt64(seconds * 1e9)
    }

    /// Starts every piece of work in `works` (joining the same work already under way) and returns
    /// at once; the completion ends when they all have. `apply` gets each result once, whether or
    /// not anyone still waits. Work that `isNeeded` says is no longer needed when its turn comes
    /// (another run did it, or a reset came) is not run.
    /// With `waiting` false (nobody will wait: the event worker, a request past its wait) the work
    /// is started and no completion is kept for it.
    @discardableResult
    func start(
        _ works: [DataWork], waiting: Bool = true, isNeeded: @escaping @Sendable (DataWork) -> Bool = { _ in true },
        apply: @escaping @Sendable (DataWork, DataResult) -> Void
    ) -> DataCompletion {
        let completion = DataCompletion(count: waiting ? works.count : 0)
        for work in works {
            let key = WorkKey(work)
            guard let lane = lane(for: work) else {
                if waiting { completion.finishOne() }  // asked for before a reset: nobody needs it
                continue
            }
            let isNew = inFlight.withLock { running -> Bool in
                let isNew = running[key] == nil
                if waiting {
                    running[key, default: Waiters()].add(completion)
                } else if isNew {
                    running[key] = Waiters()
                }
                return isNew
            }
            guard isNew else { continue }
            lane.async { [self] in
                // Asked for twice (a request's run ended just before the event worker asked): done once.
                if isNeeded(work) { apply(work, run(work)) }
                let waiting = inFlight.withLock { $0.removeValue(forKey: key) }?.completions ?? []
                for completion in waiting { completion.finishOne() }
            }
        }
        return completion
    }

    /// The lane of `work`'s job, nil for work of a generation before the current one.
    private func lane(for work: DataWork) -> DispatchQueue? {
        lanes.withLock { lanes -> DispatchQueue? in
            if work.generation > lanes.generation { lanes.renew(for: work.generation) }
            guard work.generation == lanes.generation else { return nil }
            let hash = work.jobId.utf8.reduce(UInt32(0)) { $0 &* 31 &+ UInt32($1) }
            return lanes.queues[Int(hash % UInt32(lanes.queues.count))]
        }
    }

    /// The store was reset to `generation`: work asked for before is abandoned. Its waiters are told
    /// at once, new work goes to new lanes, and the work under way gives up at its next chunk or S3
    /// call (its result, if any, is dropped by the store).
    func abandon(before generation: Int) {
        lanes.withLock { lanes in
            if generation > lanes.generation { lanes.renew(for: generation) }
        }
        let stale = inFlight.withLock { running -> [DataCompletion] in
            let keys = running.keys.filter { $0.generation < generation }
            return keys.flatMap { running.removeValue(forKey: $0)?.completions ?? [] }
        }
        for completion in stale { completion.finishOne() }
    }

    /// Whether work of `generation` is abandoned (a reset came since).
    func isAbandoned(_ generation: Int) -> Bool {
        lanes.withLock { $0.generation != generation }
    }

    /// The first data fault rule of a kind that fires for the work's job.
    private func dataRule(_ work: DataWork, _ kind: (FaultRuleSpec) -> Bool) -> FaultRule? {
        faults.current?.dataRule(jobId: work.jobId, jobArn: work.record.jobArn, where: kind)
    }

    /// Journals a step: `ReadInput` or `WriteOutput` of `location`, with the S3-like status it had.
    private func note(_ work: DataWork, _ step: String, _ location: String, status: Int, errorCode: String? = nil) {
        journal.current?(
            DataStep(jobId: work.jobId, operation: step, method: step == "ReadInput" ? "GET" : "PUT", location: location, status: status, errorCode: errorCode))
    }

    /// The jobs whose work runs now, by the thread it runs on: a store's retry (reported on the
    /// work's thread) is journaled with its job.
    private let running = Locked<[UInt: String]>([:])

    /// Journals a retry of an S3 request, for the job whose work runs on this thread.
    func noteRetry(operation: String, method: String, location: String, status: Int?, errorCode: String, attempt: Int, maxAttempts: Int) {
        let jobId = running.withLock { $0[UInt(pthread_self())] }
        log("data \(jobId ?? "-") retries \(operation) \(location) after attempt \(attempt) of \(maxAttempts): \(errorCode)")
        journal.current?(
            DataStep(
                jobId: jobId, operation: operation, method: method, location: location, status: status, errorCode: errorCode, attempt: attempt,
                maxAttempts: maxAttempts))
    }

    private func run(_ work: DataWork) -> DataResult {
        let deadline = Monotonic.now() &+ Self.nanoseconds(timeLimitSeconds)
        let generation = work.generation
        // Whether the store was told to stop because the time limit passed: only a failure it caused
        // is the time limit's (one that came late for its own reason keeps its own message).
        let stoppedByLimit = Locked(false)
        let isCancelled: @Sendable () -> Bool = { [weak self] in
            guard let self else { return true }
            if isAbandoned(generation) { return true }
            guard Monotonic.now() >= deadline else { return false }
            stoppedByLimit.withLock { $0 = true }
            return true
        }
        let thread = UInt(pthread_self())
        running.withLock { $0[thread] = work.jobId }
        var result = perform(work, isCancelled: isCancelled)
        running.withLock { _ = $0.removeValue(forKey: thread) }
        // A piece that failed after its time limit failed because of it (its store gave up), and says
        // so; one that succeeded keeps its result, late or not (its outputs are there and whole).
        if result.isFailure, stoppedByLimit.current, !isAbandoned(generation) {
            // Given up at the time limit: the job's message says so, not the store's "Cancelled".
            let seconds = Self.secondsText(timeLimitSeconds)
            switch work.need {
            case .scan:
                result = .scanFailed(
                    "Unable to read the input data at \(work.record.inputDataConfig.s3Uri): reading it took longer than the mock's data time limit of \(seconds) seconds (--data-time-limit)."
                )
            case .write:
                result = .writeFailed(
                    "Unable to write the output to \(work.record.outputDataConfig.s3Uri): writing it took longer than the mock's data time limit of \(seconds) seconds (--data-time-limit)."
                )
            }
            log("data \(work.jobId) gave up at the data time limit of \(seconds) s")
        }
        let record = work.record
        switch result {
        case .scanned: note(work, "ReadInput", record.inputDataConfig.s3Uri, status: 200)
        case .scanFailed(let message):
            // Access to the input (403) or its content (400), as the message says.
            let isAccess = message.hasPrefix("Unable to")
            note(work, "ReadInput", record.inputDataConfig.s3Uri, status: isAccess ? 403 : 400, errorCode: isAccess ? "AccessDenied" : "ValidationFailed")
        case .written: note(work, "WriteOutput", record.outputDataConfig.s3Uri, status: 200)
        case .writeFailed: note(work, "WriteOutput", record.outputDataConfig.s3Uri, status: 403, errorCode: "AccessDenied")
        }
        return result
    }

    /// Seconds as a flag gives them: `600`, `0.5`.
    static func secondsText(_ seconds: Double) -> String {
        seconds == seconds.rounded() && abs(seconds) < 1e15 ? String(Int64(seconds)) : String(seconds)
    }

    private func perform(_ work: DataWork, isCancelled: @escaping @Sendable () -> Bool) -> DataResult {
        let record = work.record
        // A job ARN's fourth part is its region (the model's pattern guarantees the form).
        let arnParts = record.jobArn.split(separator: ":", omittingEmptySubsequences: false)
        let store = self.store.forRegion(arnParts.count > 3 ? String(arnParts[3]) : "us-east-1").stopping(when: isCancelled)
        let responder = responders(record, work.responses)
        switch work.need {
        case .scan:
            var errorShare = work.errorShare
            if let rule = dataRule(work, { $0.recordErrors != nil }), let share = rule.spec.recordErrors { errorShare = max(errorShare, share) }
            if let rule = dataRule(work, { $0.data == .inputUnreadable }) {
                let message = "Unable to access the input data at \(record.inputDataConfig.s3Uri): access denied (\(rule.spec.message ?? "fault rule \(rule.id)"))."
                log("data \(work.jobId) validation failed: \(message)")
                return .scanFailed(message)
            }
            let input: S3Location
            switch S3Location.parse(record.inputDataConfig.s3Uri) {
            case .success(let location): input = location
            case .failure(let problem): return .scanFailed(problem.message)
            }
            if case .failure(let problem) = S3Location.parse(record.outputDataConfig.s3Uri) { return .scanFailed(problem.message) }
            do throws(DataProblem) {
                let scan = try InputScanner(store: store, limits: limits, log: { [log] in log("data \(work.jobId) \($0)") }).scan(
                    input, jobId: work.jobId, responder: responder, errorShare: errorShare)
                log("data \(work.jobId) read \(scan.files.count) input files, \(scan.totalRecords) records from \(input) (\(store.name))")
                return .scanned(scan)
            } catch {
                log("data \(work.jobId) validation failed: \(error.message)")
                return .scanFailed(error.message)
            }
        case .write(let processed):
            guard let scan = work.scan, case .success(let output) = S3Location.parse(record.outputDataConfig.s3Uri) else {
                return .writeFailed("The output location \(record.outputDataConfig.s3Uri) is not valid.")
            }
            if let rule = dataRule(work, { $0.data == .outputWriteFails }) {
                let message = "Unable to write the output to \(output.appending(work.jobId)): access denied (\(rule.spec.message ?? "fault rule \(rule.id)"))."
                log("data \(work.jobId) output failed: \(message)")
                return .writeFailed(message)
            }
            do throws(DataProblem) {
                let manifest = try OutputWriter(store: store, limits: limits).write(scan, processed: processed, output: output, jobId: work.jobId, responder: responder)
                log(
                    "data \(work.jobId) wrote \(scan.files.count) output files and the manifest to \(output.appending(work.jobId)) "
                        + "(\(manifest.processedRecordCount) records, \(manifest.errorRecordCount) errors; \(store.name))")
                return .written(processed: processed)
            } catch {
                log("data \(work.jobId) output failed: \(error.message)")
                return .writeFailed(error.message)
            }
        }
    }
}

extension DataPlane {
    /// The data plane a configuration asks for, nil when it names no store. Throws `DataSetupError`
    /// when the store cannot be opened, `FixtureLoadError` when the responses file has mistakes.
    public convenience init?(_ configuration: DataConfiguration, logger: Logger, environment: AWSEnvironment = .process) throws {
        let store: any ObjectStore
        // The store is made before the plane it reports its retries to: a relay joins them.
        let retries = Locked(WeakDataPlane())
        if let directory = configuration.directory {
            do throws(StoreError) {
                store = try DirectoryStore(path: directory)
            } catch {
                throw DataSetupError("cannot open --s3-dir: \(error.message)")
            }
        } else if let endpoint = configuration.endpoint {
            guard let credentials = configuration.credentials ?? environment.credentials else {
                throw DataSetupError(
                    "cannot use --s3-endpoint: no credentials to sign S3 requests with: pass --s3-credentials KEY:SECRET or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
            }
            do throws(StoreError) {
                store = try S3ObjectStore(
                    endpoint: endpoint, accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secret,
                    sessionToken: configuration.credentials == nil ? environment.sessionToken : nil, region: configuration.region,
                    onRetry: { retry in
                        retries.current.plane?.noteRetry(
                            operation: retry.operation, method: S3ObjectStore.method(of: retry.operation), location: "s3://\(retry.bucket)/\(retry.key ?? "")",
                            status: retry.error.httpStatus, errorCode: retry.error.code, attempt: retry.attempt, maxAttempts: S3Configuration.defaultMaxAttempts)
                    })
            } catch {
                throw DataSetupError("cannot use --s3-endpoint \(endpoint): \(error.message)")
            }
        } else {
            return nil
        }
        let rules = try configuration.responses.map { path throws(FixtureLoadError) in try ResponseRule.load(path: path) } ?? []
        self.init(
            store: store, limits: configuration.limits, waitSeconds: configuration.waitSeconds, timeLimitSeconds: configuration.timeLimitSeconds,
            responders: { record, own in JobResponder(record: record, rules: own + rules) },
            log: { logger.info("\($0)") })
        retries.withLock { $0.plane = self }
    }
}

/// The data plane a store reports its retries to, held weakly (the plane holds the store).
struct WeakDataPlane: Sendable {
    weak var plane: DataPlane?
}

/// The standard AWS variables an S3 endpoint's requests are signed with when `--s3-credentials` is not given.
public struct AWSEnvironment: Sendable {
    public var credentials: (accessKeyId: String, secret: String)?
    public var sessionToken: String?

    public init(credentials: (accessKeyId: String, secret: String)?, sessionToken: String?) {
        self.credentials = credentials
        self.sessionToken = sessionToken
    }

    /// The process's AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.
    public static var process: AWSEnvironment {
        func variable(_ name: String) -> String? { getenv(name).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } }
        let key = variable("AWS_ACCESS_KEY_ID")
        let secret = variable("AWS_SECRET_ACCESS_KEY")
        return AWSEnvironment(credentials: key.flatMap { key in secret.map { (key, $0) } }, sessionToken: variable("AWS_SESSION_TOKEN"))
    }
}
