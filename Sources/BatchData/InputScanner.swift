import Inference

/// Validating: finds a job's `.jsonl` files, reads every line once as a stream (never the whole
/// input in memory), checks the format and the quotas, and counts the records each file holds and
/// the records that will end in an error. What fails becomes the job's message, naming the file and
/// line of the first problems.
public struct InputScanner {
    public var store: any ObjectStore
    public var limits: DataLimits
    /// Problems named in the message before "and N more".
    public static let namedProblems = 5

    public init(store: any ObjectStore, limits: DataLimits) {
        self.store = store
        self.limits = limits
    }

    /// The `.jsonl` files `uri` names: the object itself, or every `.jsonl` object below it as a prefix.
    public func files(of input: S3Location) throws(DataProblem) -> [StoredObject] {
        let found: [StoredObject]
        do throws(StoreError) {
            if !input.key.isEmpty, !input.key.hasSuffix("/"), let object = try store.head(bucket: input.bucket, key: input.key) {
                found = [object]
            } else {
                let folder = input.asFolder
                found = try store.list(bucket: folder.bucket, prefix: folder.key, limit: limits.maxListedObjects).filter { $0.key.hasSuffix(".jsonl") }
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
        let jobBytes = objects.reduce(Int64(0)) { $0 + $1.size }
        if jobBytes > limits.maxJobBytes {
            throw DataProblem("The input at \(input) is \(jobBytes) bytes, more than the job size quota of \(limits.maxJobBytes) bytes.")
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
            let handle = { (line: LineReader.Line, number: Int) throws(StoreError) in
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
                    }
                }
                if problems.count > 1000 { throw StoreError("Stop", "") }  // enough to tell: stop reading
            }
            do throws(StoreError) {
                try store.read(bucket: location.bucket, key: location.key) { (chunk: UnsafeRawBufferPointer) throws(StoreError) in try lines.feed(chunk, handle) }
                try lines.finish(handle)
            } catch  where error.code == "Stop" {
                break
            } catch {
                throw DataProblem(Self.accessMessage(error, location))
            }
            if records > limits.maxRecordsPerFile {
                problems.add("\(location) has \(records) records, more than the quota of \(limits.maxRecordsPerFile) records per file")
            }
            let name = prefix.map { String(object.key.dropFirst($0.count)) } ?? location.fileName
            files.append(InputFile(location: location, outputName: name + ".out", size: object.size, records: records))
        }
        if let message = problems.message(for: input) { throw DataProblem(message) }
        if index > limits.maxRecordsPerJob {
            throw DataProblem("The input at \(input) has \(index) records, more than the quota of \(limits.maxRecordsPerJob) records per job.")
        }
        if index < limits.minRecords {
            throw DataProblem("The input at \(input) has \(index) records, fewer than the minimum of \(limits.minRecords) records per batch inference job.")
        }
        var errors = refused
        for picked in Self.pick(share: errorShare, of: index, seed: jobId) { InputScan.set(&errors, picked) }
        return InputScan(files: files, refusedBits: refused, errorBits: errors)
    }

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

    mutating func add(_ problem: String) {
        count += 1
        if named.count < InputScanner.namedProblems { named.append(problem) }
    }

    func message(for input: S3Location) -> String? {
        guard count > 0 else { return nil }
        var text = "Input validation failed for \(input): " + named.joined(separator: "; ")
        if count > named.count { text += "; and \(count - named.count) more problems" }
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
