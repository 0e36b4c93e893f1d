import BatchData
import Dispatch
import Fixtures
import Logging
import Sync

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A step of data work as the journal shows it.
struct DataStep: Sendable {
    let jobId: String
    /// `ReadInput` or `WriteOutput`.
    let operation: String
    let location: String
    let status: Int
    let errorCode: String?
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
}

/// The data plane: reads each job's input at the end of Validating and writes its results when it
/// finishes, through an object store. Work runs on a background queue; the request that needs it
/// waits up to `waitSeconds` for it (then it is served as it was before, see `Job.snapshot`), so a
/// slow store never holds a request thread longer than that. Work for one job runs once however
/// many requests ask for it.
public final class DataPlane: Sendable {
    public let store: any ObjectStore
    public let limits: DataLimits
    public let waitSeconds: Double
    /// The responder of a job: its record and its own response rules.
    let responders: @Sendable (JobRecord, [ResponseRule]) -> any RecordResponder
    /// Lines for the access log: the store's reads and writes.
    let log: @Sendable (String) -> Void
    private let inFlight = Locked<[String: DispatchGroup]>([:])
    /// The service's fault rules, for the rules about data, and its journal, which shows each read of
    /// an input and each write of results (set when the service is made).
    let faults = Locked<FaultBook?>(nil)
    let journal = Locked<(@Sendable (DataStep) -> Void)?>(nil)
    /// Work runs on a few serial lanes, a job always on the same one: a List over thousands of jobs
    /// whose inputs must be read starts their work without starting thousands of threads, and two
    /// pieces of one job's work never run at once. The price: a job whose store is slow delays the
    /// jobs behind it on its lane (each S3 call is bounded by the client's timeouts); four lanes
    /// keep that to a quarter of the jobs.
    private let lanes = (0..<4).map { DispatchQueue(label: "mock-bedrock.data.\($0)") }

    public init(
        store: any ObjectStore, limits: DataLimits = DataLimits(), waitSeconds: Double = 10,
        responders: @escaping @Sendable (JobRecord, [ResponseRule]) -> any RecordResponder, log: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.store = store
        self.limits = limits
        self.waitSeconds = waitSeconds
        self.responders = responders
        self.log = log
    }

    /// The instant a request that begins now stops waiting for data work: `waitSeconds` from now,
    /// one bound for all the work the request asks for.
    func deadline() -> DispatchTime { .now() + waitSeconds }

    /// Runs `work` (or joins the same work already running) and waits for it until `deadline`;
    /// `apply` gets the result, once, whether or not anyone still waits. Work that `isNeeded` says is
    /// no longer needed when its turn comes (another run did it, or a reset came) is not run.
    func perform(
        _ work: DataWork, until deadline: DispatchTime, isNeeded: @escaping @Sendable (DataWork) -> Bool = { _ in true },
        apply: @escaping @Sendable (DataWork, DataResult) -> Void
    ) {
        performAll([work], until: deadline, isNeeded: isNeeded, apply: apply)
    }

    /// Starts every piece of work in `works` and waits for them until `deadline`.
    func performAll(
        _ works: [DataWork], until deadline: DispatchTime, isNeeded: @escaping @Sendable (DataWork) -> Bool = { _ in true },
        apply: @escaping @Sendable (DataWork, DataResult) -> Void
    ) {
        let groups = works.map { start($0, isNeeded: isNeeded, apply: apply) }
        for group in groups where group.wait(timeout: deadline) == .timedOut { return }
    }

    /// Starts `work` unless the same work is running; the group it runs in.
    private func start(
        _ work: DataWork, isNeeded: @escaping @Sendable (DataWork) -> Bool, apply: @escaping @Sendable (DataWork, DataResult) -> Void
    ) -> DispatchGroup {
        let key = "\(work.generation)/\(work.jobId)/\(work.need)"
        let (group, isNew) = inFlight.withLock { running -> (DispatchGroup, Bool) in
            if let group = running[key] { return (group, false) }
            let group = DispatchGroup()
            group.enter()
            running[key] = group
            return (group, true)
        }
        if isNew {
            let lane = lanes[Int(work.jobId.utf8.reduce(UInt32(0)) { $0 &* 31 &+ UInt32($1) } % UInt32(lanes.count))]
            lane.async { [self] in
                // Asked for twice (a request's run ended just before the event worker asked): done once.
                if isNeeded(work) { apply(work, run(work)) }
                inFlight.withLock { _ = $0.removeValue(forKey: key) }
                group.leave()
            }
        }
        return group
    }

    /// The first data fault rule of a kind that fires for the work's job.
    private func dataRule(_ work: DataWork, _ kind: (FaultRuleSpec) -> Bool) -> FaultRule? {
        faults.current?.dataRule(jobId: work.jobId, jobArn: work.record.jobArn, where: kind)
    }

    /// Journals a step: `ReadInput` or `WriteOutput` of `location`, with the S3-like status it had.
    private func note(_ work: DataWork, _ step: String, _ location: String, status: Int, errorCode: String? = nil) {
        journal.current?(DataStep(jobId: work.jobId, operation: step, location: location, status: status, errorCode: errorCode))
    }

    private func run(_ work: DataWork) -> DataResult {
        let result = perform(work)
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

    private func perform(_ work: DataWork) -> DataResult {
        let record = work.record
        // A job ARN's fourth part is its region (the model's pattern guarantees the form).
        let arnParts = record.jobArn.split(separator: ":", omittingEmptySubsequences: false)
        let store = self.store.forRegion(arnParts.count > 3 ? String(arnParts[3]) : "us-east-1")
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
                let scan = try InputScanner(store: store, limits: limits).scan(input, jobId: work.jobId, responder: responder, errorShare: errorShare)
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
                    sessionToken: configuration.credentials == nil ? environment.sessionToken : nil, region: configuration.region)
            } catch {
                throw DataSetupError("cannot use --s3-endpoint \(endpoint): \(error.message)")
            }
        } else {
            return nil
        }
        let rules = try configuration.responses.map { path throws(FixtureLoadError) in try ResponseRule.load(path: path) } ?? []
        self.init(
            store: store, limits: configuration.limits, waitSeconds: configuration.waitSeconds, responders: { record, own in JobResponder(record: record, rules: own + rules) },
            log: { logger.info("\($0)") })
    }
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
