import JSON
import ServiceModel
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A job read from a fixture file, with where it was written.
public struct FixtureJob: Sendable {
    public var record: JobRecord
    /// Static (served as written) or a lifecycle on the clock.
    public var behaviour: JobBehaviour
    /// The job's own fault rules (`faults`), which apply to this job.
    public var faults: [FaultRuleSpec]
    /// The job's tags (`tags`, never served by Get; ListTagsForResource answers them).
    public var tags: [ResourceTag]
    /// The job's own response rules (`responses`), tried before the `--responses` file's.
    public var responses: [ResponseRule] = []
    public var location: FixtureLocation
}

/// A place in a fixture file: `fixtures/finished.json: jobs[2]`.
public struct FixtureLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var path: ValuePath

    public var description: String { path.components.isEmpty ? file : "\(file): \(path)" }
}

/// One problem found in the fixtures; its description names the file, the JSON path and the rule.
public struct FixtureError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var detail: String
    /// Nonzero for the line that stands for the problems of a file past the first
    /// `FixtureLoader.problemsKeptPerFile`: how many it stands for.
    public var omitted: Int = 0

    public init(file: String, detail: String, omitted: Int = 0) {
        self.file = file
        self.detail = detail
        self.omitted = omitted
    }

    public var description: String { "\(file): \(detail)" }
}

/// Every problem found while loading fixtures; loading stops the server only after all were collected.
public struct FixtureLoadError: Error, Sendable, CustomStringConvertible {
    public var errors: [FixtureError]

    public init(errors: [FixtureError]) {
        self.errors = errors
    }

    /// How many problems there are, counting those a file's summary line stands for.
    public var count: Int { errors.reduce(0) { $0 + max(1, $1.omitted) } }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// The problems of one file as they are found: the first `FixtureLoader.problemsKeptPerFile` kept,
/// the rest counted, so that a file of a million bad jobs costs neither memory nor screens of output.
struct FixtureProblems {
    let file: String
    private(set) var kept: [FixtureError] = []
    private(set) var omitted = 0

    init(file: String) { self.file = file }

    mutating func add(_ detail: @autoclosure () -> String) {
        if kept.count < FixtureLoader.problemsKeptPerFile {
            kept.append(FixtureError(file: file, detail: detail()))
        } else {
            omitted += 1
        }
    }

    /// Adds another list's problem (a summary line counts for as many as it stands for).
    mutating func add(_ error: FixtureError) {
        if error.omitted > 0 {
            omitted += error.omitted
        } else {
            add(error.detail)
        }
    }

    var errors: [FixtureError] {
        guard omitted > 0 else { return kept }
        return kept + [FixtureError(file: file, detail: "... and \(omitted) more problems in this file", omitted: omitted)]
    }
}

/// Reads fixture files: each holds one job object or `{"jobs": [...]}`; a job is written like the
/// `GetModelInvocationJob` response (a response pasted from AWS is a valid fixture).
public enum FixtureLoader {
    /// Checks a job against the model's GetModelInvocationJobResponse: unknown members refused,
    /// jobName required, and the members that are not the job's skipped (ResponseMetadata from a
    /// pasted boto3 response, and the mock's own lifecycle, outcome, faults and tags).
    static let validator = ShapeValidator(
        rejectsUnknownMembers: true,
        // Every real job has a name (Create requires one), and List summaries must carry it.
        extraRequired: [JobRecord.shapeName: ["jobName"]],
        ignoredMembers: [JobRecord.shapeName: ["ResponseMetadata", "lifecycle", "outcome", "faults", "tags", "responses"]]
    )

    /// The problems listed for one file; past them, one line counts the rest.
    public static let problemsKeptPerFile = 100
    /// The largest fixture file read (256 MiB, about 200,000 jobs): a file that grows is not read
    /// forever, and one file cannot take the machine's memory (the parsed jobs take a few times its size).
    public static let maxFileBytes = 1 << 28

    /// Loads every `*.json` file of a directory (in name order), or one file when `path` is a file.
    /// Throws every problem at once: syntax, model constraints, lifecycles and job ids defined twice.
    /// A job with a lifecycle and no `submitTime` is submitted at `defaultSubmitTime` (the clock's start).
    public static func load(path: String, defaultSubmitTime: Timestamp? = nil) throws(FixtureLoadError) -> [FixtureJob] {
        let files: [String]
        do {
            files = try jsonFiles(at: path)
        } catch {
            throw FixtureLoadError(errors: [error])
        }
        var jobs: [FixtureJob] = []
        var errors: [FixtureError] = []
        for file in files {
            do {
                let (decoded, problems) = decode(try readFile(file), file: file, defaultSubmitTime: defaultSubmitTime)
                jobs.append(contentsOf: decoded)
                errors.append(contentsOf: problems)
            } catch {
                errors.append(error)
            }
        }
        errors.append(contentsOf: duplicateIds(jobs))
        if !errors.isEmpty { throw FixtureLoadError(errors: errors) }
        return jobs
    }

    /// Decodes one file's bytes. Returns the valid jobs and the problems; `file` names it in messages.
    public static func decode(_ bytes: [UInt8], file: String, defaultSubmitTime: Timestamp? = nil) -> ([FixtureJob], [FixtureError]) {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            return (
                [],
                [
                    FixtureError(
                        file: file, detail: "invalid JSON at line 1, column 1: the file starts with a UTF-8 byte order mark (BOM); save it as UTF-8 without a BOM")
                ]
            )
        }
        var jobs: [FixtureJob] = []
        var jobErrors = FixtureProblems(file: file)
        var interner = StringInterner()
        let document: JSONValue
        do {
            // Each element of "jobs" is checked and turned into a job as soon as it is read.
            document = try JSONParser.parse(bytes, streaming: "jobs") { element, index in
                decodeJob(
                    element, at: ValuePath([.member("jobs"), .index(index)]), file: file, defaultSubmitTime: defaultSubmitTime,
                    into: &jobs, errors: &jobErrors, interner: &interner)
            }
        } catch {
            return ([], [FixtureError(file: file, detail: "invalid JSON at \(error)")])
        }
        if case .object(let members) = document, members.contains(where: { $0.key == "jobs" }) {
            var errors = FixtureProblems(file: file)
            for member in members where member.key != "jobs" {
                errors.add("\(member.key): unknown member (a file holds one job object or {\"jobs\": [...]})")
            }
            switch document["jobs"] {
            case .array?:
                for error in jobErrors.errors { errors.add(error) }
                return (jobs, errors.errors)
            case let other:
                errors.add("jobs: expected an array of job objects, found \(other?.kindDescription ?? "nothing")")
                return ([], errors.errors)
            }
        }
        var problems = FixtureProblems(file: file)
        decodeJob(document, at: ValuePath(), file: file, defaultSubmitTime: defaultSubmitTime, into: &jobs, errors: &problems, interner: &interner)
        return (jobs, problems.errors)
    }

    /// Checks one job object and adds the job, or its problems.
    private static func decodeJob(
        _ written: JSONValue, at path: ValuePath, file: String, defaultSubmitTime: Timestamp?,
        into jobs: inout [FixtureJob], errors: inout FixtureProblems, interner: inout StringInterner
    ) {
        var object = written
        let (behaviour, lifecycleViolations) = LifecycleDecoder.decode(object, at: path)
        if behaviour != .static, object["submitTime"] == nil, let defaultSubmitTime, case .object(var members) = object {
            // To the millisecond, like every time the clock computes for the job.
            members.append(JSONMember("submitTime", .string(Timestamp(milliseconds: defaultSubmitTime.milliseconds).description)))
            object = .object(members)
        }
        let (faults, faultViolations) = object["faults"].map { decodeFaults($0, at: path.appending("faults")) } ?? ([], [])
        let (tags, tagViolations) = object["tags"].map { decodeTags($0, at: path.appending("tags")) } ?? ([], [])
        let (responses, responseViolations) = object["responses"].map { ResponseRule.decodeList($0, at: path.appending("responses")) } ?? ([], [])
        let violations =
            validator.violations(of: object, against: JobRecord.shapeName, at: path) + lifecycleViolations
            + faultViolations + tagViolations + responseViolations
        guard violations.isEmpty, var record = JobRecord(validated: object) else {
            for violation in violations { errors.add(violation.description) }
            return
        }
        record.intern(&interner)
        jobs.append(
            FixtureJob(
                record: record, behaviour: behaviour, faults: faults, tags: tags, responses: responses, location: FixtureLocation(file: file, path: path)))
    }

    /// A job's `faults`: rule objects without `jobId` (they apply to the job).
    static func decodeFaults(_ value: JSONValue?, at path: ValuePath) -> ([FaultRuleSpec], [Violation]) {
        guard let value else { return ([], []) }
        guard case .array(let elements) = value else {
            return ([], [Violation(path, .wrongType(expected: "an array of fault rules", found: value.kindDescription))])
        }
        var rules: [FaultRuleSpec] = []
        var violations: [Violation] = []
        for (index, element) in elements.enumerated() {
            switch FaultRuleSpec.decode(element, at: path.appending(index: index), allowJobId: false) {
            case .success(let rule): rules.append(rule)
            case .failure(let errors): violations.append(contentsOf: errors.violations)
            }
        }
        return (rules, violations)
    }

    /// A job's `tags`: a TagList of the model, at most `ResourceTag.limit`, each key once.
    static func decodeTags(_ value: JSONValue?, at path: ValuePath) -> ([ResourceTag], [Violation]) {
        guard let value else { return ([], []) }
        let violations = validator.violations(of: value, against: "TagList", at: path)
        guard violations.isEmpty else { return ([], violations) }
        let tags = ResourceTag.decode(value)
        if let problem = ResourceTag.problem(with: tags) { return ([], [Violation(path, .other(problem))]) }
        return (tags, [])
    }

    /// A job id defined twice is an error that names both places.
    static func duplicateIds(_ jobs: [FixtureJob]) -> [FixtureError] {
        var firstPlace: [String: FixtureLocation] = [:]
        var errors: [FixtureError] = []
        var omitted = 0
        for job in jobs {
            let id = job.record.jobId
            if let first = firstPlace[id] {
                guard errors.count < problemsKeptPerFile else {
                    omitted += 1
                    continue
                }
                errors.append(
                    FixtureError(
                        file: job.location.file,
                        detail: "\(job.location.path.appending("jobArn")): job id '\(id)' is already defined at \(first)"))
            } else {
                firstPlace[id] = job.location
            }
        }
        if omitted > 0, let last = errors.last {
            errors.append(FixtureError(file: last.file, detail: "... and \(omitted) more job ids defined twice", omitted: omitted))
        }
        return errors
    }

    static func jsonFiles(at path: String) throws(FixtureError) -> [String] {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw FixtureError(file: path, detail: "cannot read fixtures: \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { return [path] }
        guard let directory = opendir(path) else {
            throw FixtureError(file: path, detail: "cannot list fixtures: \(String(cString: strerror(errno)))")
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                // d_name is a fixed array of 256 bytes inside the entry: never an empty buffer.
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name.hasSuffix(".json"), !name.hasPrefix(".") { names.append(name) }
        }
        let prefix = path.hasSuffix("/") ? path : path + "/"
        return names.sorted().map { prefix + $0 }
    }

    /// Reads a regular file of at most `maxFileBytes`. Opened without blocking and checked before
    /// reading: a FIFO named `*.json` would wait for a writer forever, `/dev/zero` never ends.
    static func readFile(_ path: String) throws(FixtureError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw FixtureError(file: path, detail: "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw FixtureError(file: path, detail: "cannot read: \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw FixtureError(file: path, detail: "not a regular file (\(fileKind(info.st_mode))); fixtures are read from regular files only")
        }
        guard info.st_size <= maxFileBytes else {
            throw FixtureError(file: path, detail: "the file has \(info.st_size) bytes; a fixture file may have at most \(maxFileBytes) (256 MiB)")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(info.st_size))
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            guard bytes.count <= maxFileBytes else {
                throw FixtureError(file: path, detail: "the file grew past \(maxFileBytes) bytes (256 MiB) while it was read")
            }
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FixtureError(file: path, detail: "cannot read: \(String(cString: strerror(errno)))")
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    private static func fileKind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        default: "not a plain file"
        }
    }
}
