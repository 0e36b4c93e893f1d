import Inference

/// Validating: finds a job's `.jsonl` files, reads every line once as a stream (never the whole
/// input in memory), checks the format and the quotas, and counts the records each file holds and
/// the records that will end in an error. What fails becomes the job's message, naming the file and
/// line of the first problems.
public struct InputScanner {
    public var store: any ObjectStore
    public var limits: DataLimits
    /// Lines for the access log (keys a listing had that are not the job's).
    public var log: (String) -> Void
    /// Problems named in the message before "and N more".
    public static let namedProblems = 5

    public init(store: any ObjectStore, limits: DataLimits, log: @escaping (String) -> Void = { _ in }) {
        self.store = store
        self.limits = limits
        self.log = log
    }

    /// The `.jsonl` files `uri` names: the object itself, or every `.jsonl` object below it as a prefix.
    public func files(of input: S3Location) throws(DataProblem) -> [StoredObject] {
        let found: [StoredObject]
        do throws(StoreError) {
            if !input.key.isEmpty, !input.key.hasSuffix("/"), let object = try store.head(bucket: input.bucket, key: input.key) {
                found = [object]
            } else {
                let folder = input.asFolder
                found = listed(try store.list(bucket: folder.bucket, prefix: folder.key, limit: limits.maxListedObjects), under: folder)
            }
        } catch {
            throw DataProblem(Self.accessMessage(error, input))
        }
        if found.count == 1, found[0].key == input.key, !input.key.hasSuffix(".jsonl") {
            throw DataProblem("The input file \(input) does not have the .jsonl extension; batch inference reads JSONL files only.")
        }
        guard !found.isEmpty else {
            throw DataProblem("No .jsonl file was found at \(input): the input must be a .jsonl object or a folder holding .jsonl files.")
        }
        return found
    }

    /// The `.jsonl` objects of a listing that are the job's: below the prefix, each key once, in the
    /// order listed. A listing is the store's answer, not the truth: keys outside the prefix (an S3
    /// server that ignores `prefix`) would make output names that overwrite each other, and a key
    /// listed twice would be read twice; both are dropped, and the access log says how many.
    func listed(_ objects: [StoredObject], under folder: S3Location) -> [StoredObject] {
        // Keys compared as bytes, as S3 does: Swift's String equality would take NFC and NFD forms of
        // one name for the same key.
        var seen = Set<[UInt8]>()
        var outside = 0
        var twice = 0
        var kept: [StoredObject] = []
        for object in objects {
            guard object.key.utf8.starts(with: folder.key.utf8), object.key.utf8.count > folder.key.utf8.count else {
                outside += 1
                continue
            }
            guard seen.insert(Array(object.key.utf8)).inserted else {
                twice += 1
                continue
            }
            if object.key.hasSuffix(".jsonl") { kept.append(object) }
        }
        if outside > 0 { log("listing of \(folder) had \(outside) keys outside its prefix; dropped") }
        if twice > 0 { log("listing of \(folder) had \(twice) keys more than once; each read once") }
        return kept
    }

    static func accessMessage(_ error: StoreError, _ location: S3Location) -> String {
        switch error.code {
        case "NoSuchBucket": "Unable to access the input data at \(location): the bucket \(location.bucket) does not exist."
        case "NoSuchKey": "Unable to access the input data at \(location): the object does not exist."
        case "AccessDenied", "Forbidden": "Unable to access the input data at \(location): access denied (\(error.message))."
        default: "Unable to read the input data at \(location): \(error.code): \(error.message)"
        }
    }

    /// Scans the input; `errorShare` of the records (picked by the job id's seed) fail besides those
    /// `responder` refuses.
    public func scan(_ input: S3Location, jobId: String, responder: any RecordResponder, errorShare: Double = 0) throws(DataProblem) -> InputScan {
        let objects = try files(of: input)
        var problems = ProblemList()
        // Sizes come from a listing or a file system: summed without overflow (two 8 EiB sparse files).
        var jobBytes: Int64 = 0
        var overflowed = false
        for object in objects where !overflowed {
            let (sum, overflow) = jobBytes.addingReportingOverflow(max(0, object.size))
            (jobBytes, overflowed) = overflow ? (.max, true) : (sum, false)
        }
        if jobBytes > limits.maxJobBytes {
            let size = overflowed ? "more than \(Int64.max)" : "\(jobBytes)"
            throw DataProblem("The input at \(input) is \(size) bytes, more than the job size quota of \(limits.maxJobBytes) bytes.")
        }
        let prefix = input.key.hasSuffix(".jsonl") && objects.count == 1 && objects[0].key == input.key ? nil : input.asFolder.key
        var files: [InputFile] = []
        var refused: [UInt64] = []
        var index = 0
        for object in objects {
            let location = S3Location(bucket: input.bucket, key: object.key)
            if object.size > limits.maxInputFileBytes {
                problems.add("\(location) is \(object.size) bytes, more than the input file size quota of \(limits.maxInputFileBytes) bytes")
                continue
            }
            var lines = LineReader(maxLineBytes: limits.maxRecordBytes)
            var records = 0
            var bytesRead: Int64 = 0
            // Why the read of this file stopped early: a quota passed, or more bytes than declared.
            var stoppedAt: String?
            var jobQuotaPassed = false
            let handle = { (line: LineReader.Line, number: Int) throws(StoreError) in
                // Problems are counted exactly up to a bound that keeps the read's cost bounded too.
                if problems.count >= Self.maxCountedProblems {
                    problems.stoppedAt = "\(location) line \(number)"
                    throw Self.stop
                }
                switch line {
                case .tooLong(let length):
                    problems.add("\(location) line \(number) is \(length) bytes, more than the \(limits.maxRecordBytes) a record may have")
                case .bytes(let bytes):
                    if BatchRecord.isBlank(bytes) { return }
                    switch BatchRecord.parse(bytes, index: index, jobId: jobId) {
                    case .failure(let problem): problems.add("\(location) line \(number) \(problem.message)")
                    case .success(let record):
                        if responder.refusal(record) != nil { InputScan.set(&refused, index) }
                        records += 1
                        index += 1
                        // A quota stops the read where it is passed: a 256 MB file is not read to its end
                        // once its records are too many.
                        if records > limits.maxRecordsPerFile {
                            stoppedAt = "\(location) has more than \(limits.maxRecordsPerFile) records, the quota of records per file (read up to line \(number))"
                            throw Self.stop
                        }
                        if index > limits.maxRecordsPerJob {
                            jobQuotaPassed = true
                            throw Self.stop
                        }
                    }
                }
            }
            do throws(StoreError) {
                try store.read(bucket: location.bucket, key: location.key) { (chunk: UnsafeRawBufferPointer) throws(StoreError) in
                    // A store that serves more than it declared (an endless object, a listing that lies)
                    // is read up to the declared size and no further.
                    bytesRead += Int64(chunk.count)
                    if bytesRead > object.size {
                        stoppedAt = "\(location) served more than the \(object.size) bytes its listing declared"
                        throw Self.stop
                    }
                    try lines.feed(chunk, handle)
                }
                try lines.finish(handle)
            } catch  where error.isSignal(Self.stop) {
                // Stopped on purpose: a quota passed, or the declared size.
            } catch {
                throw DataProblem(Self.accessMessage(error, location))
            }
            if problems.stoppedAt != nil { break }
            if jobQuotaPassed {
                throw DataProblem(
                    "The input at \(input) has more than \(limits.maxRecordsPerJob) records, more than the quota of \(limits.maxRecordsPerJob) records per job (reading stopped at \(location))."
                )
            }
            if let stoppedAt {
                problems.add(stoppedAt)
                continue
            }
            let name = prefix.map { String(object.key.dropFirst($0.count)) } ?? location.fileName
            files.append(InputFile(location: location, outputName: name + ".out", size: object.size, records: records))
        }
        if let message = problems.message(for: input) { throw DataProblem(message) }
        if index < limits.minRecords {
            throw DataProblem("The input at \(input) has \(index) records, fewer than the minimum of \(limits.minRecords) records per batch inference job.")
        }
        var errors = refused
        for picked in Self.pick(share: errorShare, of: index, seed: jobId) { InputScan.set(&errors, picked) }
        return InputScan(files: files, refusedBits: refused, errorBits: errors)
    }

    /// The most problems counted: past them reading stops, and the message says where.
    public static let maxCountedProblems = 1_000_000

    /// What a read stopped on purpose throws (not an error of the store).
    static let stop = StoreError.signal("Stop")

    /// `share` of `count` records (rounded), chosen by the seed: the records whose seeded draws are smallest.
    static func pick(share: Double, of count: Int, seed: String) -> [Int] {
        guard share > 0, count > 0 else { return [] }
        let wanted = min(count, Int((share * Double(count)).rounded()))
        var generator = SeededGenerator(seed: FNV1a.hash(seed))
        let draws = (0..<count).map { (generator.next(), $0) }
        return draws.sorted { $0.0 < $1.0 }.prefix(wanted).map(\.1)
    }
}

/// The first problems of a scan, for a message that fits the model's 2048 characters.
struct ProblemList {
    private(set) var named: [String] = []
    private(set) var count = 0
    /// Where reading stopped after `InputScanner.maxCountedProblems`, if it did.
    var stoppedAt: String?

    /// Counts a problem; its text is made only for the first few, which the message names.
    mutating func add(_ problem: @autoclosure () -> String) {
        count += 1
        if named.count < InputScanner.namedProblems { named.append(problem()) }
    }

    func message(for input: S3Location) -> String? {
        guard count > 0 else { return nil }
        var text = "Input validation failed for \(input): " + named.joined(separator: "; ")
        if count > named.count { text += "; and \(count - named.count) more problems" }
        if let stoppedAt { text += " (reading stopped at \(stoppedAt), after \(count) problems)" }
        text += "."
        guard text.utf8.count > 2048 else { return text }
        // Cut on a character's boundary, so that the cut text and "..." stay within the limit.
        var cut = ""
        for character in text {
            if cut.utf8.count + character.utf8.count > 2045 { break }
            cut.append(character)
        }
        return cut + "..."
    }
}
