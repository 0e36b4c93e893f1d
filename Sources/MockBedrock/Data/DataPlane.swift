import BatchData
import Dispatch
import Fixtures
import Logging

/// One piece of data work for a job, with all it needs (the job's record may change meanwhile).
struct DataWork: Sendable {
    let jobId: String
    /// The store's generation when the work was asked for: a reset makes the result stale.
    let generation: Int
    let need: DataNeed
    let record: JobRecord
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
    let responders: @Sendable (JobRecord) -> any RecordResponder
    /// Lines for the access log: the store's reads and writes.
    let log: @Sendable (String) -> Void
    private let inFlight = Locked<[String: DispatchGroup]>([:])
    private let queue = DispatchQueue(label: "mock-bedrock.data", attributes: .concurrent)

    public init(
        store: any ObjectStore, limits: DataLimits = DataLimits(), waitSeconds: Double = 10,
        responders: @escaping @Sendable (JobRecord) -> any RecordResponder, log: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.store = store
        self.limits = limits
        self.waitSeconds = waitSeconds
        self.responders = responders
        self.log = log
    }

    /// Runs `work` (or joins the same work already running) and waits for it at most `waitSeconds`;
    /// `apply` gets the result, once, whether or not anyone still waits.
    func perform(_ work: DataWork, apply: @escaping @Sendable (DataWork, DataResult) -> Void) {
        performAll([work], apply: apply)
    }

    /// Starts every piece of work in `works` and waits for them, at most `waitSeconds` in all.
    func performAll(_ works: [DataWork], apply: @escaping @Sendable (DataWork, DataResult) -> Void) {
        let groups = works.map { start($0, apply: apply) }
        let deadline = DispatchTime.now() + waitSeconds
        for group in groups where group.wait(timeout: deadline) == .timedOut { return }
    }

    /// Starts `work` unless the same work is running; the group it runs in.
    private func start(_ work: DataWork, apply: @escaping @Sendable (DataWork, DataResult) -> Void) -> DispatchGroup {
        let key = "\(work.generation)/\(work.jobId)/\(work.need)"
        let (group, isNew) = inFlight.withLock { running -> (DispatchGroup, Bool) in
            if let group = running[key] { return (group, false) }
            let group = DispatchGroup()
            group.enter()
            running[key] = group
            return (group, true)
        }
        if isNew {
            queue.async { [self] in
                let result = run(work)
                apply(work, result)
                inFlight.withLock { _ = $0.removeValue(forKey: key) }
                group.leave()
            }
        }
        return group
    }

    private func run(_ work: DataWork) -> DataResult {
        let record = work.record
        let responder = responders(record)
        switch work.need {
        case .scan:
            let input: S3Location
            switch S3Location.parse(record.inputDataConfig.s3Uri) {
            case .success(let location): input = location
            case .failure(let problem): return .scanFailed(problem.message)
            }
            if case .failure(let problem) = S3Location.parse(record.outputDataConfig.s3Uri) { return .scanFailed(problem.message) }
            do throws(DataProblem) {
                let scan = try InputScanner(store: store, limits: limits).scan(input, jobId: work.jobId, responder: responder, errorShare: work.errorShare)
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
    /// The data plane a configuration asks for, nil when it names no store. Throws `ServerError`
    /// when the store cannot be opened or the responses file read.
    public convenience init?(_ configuration: DataConfiguration, logger: Logger) throws {
        let store: any ObjectStore
        if let directory = configuration.directory {
            do throws(StoreError) {
                store = try DirectoryStore(path: directory)
            } catch {
                throw ServerError(operation: "open --s3-dir", detail: error.message)
            }
        } else if configuration.endpoint != nil {
            throw ServerError(operation: "open --s3-endpoint", detail: "not built yet")
        } else {
            return nil
        }
        self.init(
            store: store, limits: configuration.limits, waitSeconds: configuration.waitSeconds, responders: { _ in PlaceholderResponder() },
            log: { logger.info("\($0)") })
    }
}
