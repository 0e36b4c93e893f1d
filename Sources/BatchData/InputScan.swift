/// One `.jsonl` input file of a job.
public struct InputFile: Sendable, Equatable {
    public var location: S3Location
    /// The output's name: the key below the input prefix (the file name for a single-object input),
    /// `.out` added.
    public var outputName: String
    public var size: Int64
    public var records: Int
}

/// What Validating found in a job's input: the files and their records, and which records end in
/// an error (in input order: bit `i` is the record of index `i`). Immutable, shared by reference.
public final class InputScan: Sendable {
    public let files: [InputFile]
    public let totalRecords: Int
    /// Records the model refuses or a response rule answers with an error.
    let refusedBits: [UInt64]
    /// Those and the records picked to fail (`errorShare`).
    let errorBits: [UInt64]
    /// Prefix sums of `errorBits`' population counts, one per 64 records, for counts at any point.
    private let errorsBefore: [Int]

    init(files: [InputFile], refusedBits: [UInt64], errorBits: [UInt64]) {
        self.files = files
        self.totalRecords = files.reduce(0) { $0 + $1.records }
        self.refusedBits = refusedBits
        self.errorBits = errorBits
        var sums: [Int] = [0]
        sums.reserveCapacity(errorBits.count + 1)
        for word in errorBits { sums.append((sums.last ?? 0) + word.nonzeroBitCount) }
        self.errorsBefore = sums
    }

    /// How many of the first `processed` records end in an error.
    public func errors(amongFirst processed: Int) -> Int {
        let count = max(0, min(processed, totalRecords))
        let word = count / 64
        var total = errorsBefore[min(word, errorsBefore.count - 1)]
        if count % 64 != 0, word < errorBits.count { total += (errorBits[word] & ((1 << UInt64(count % 64)) - 1)).nonzeroBitCount }
        return total
    }

    func isError(_ index: Int) -> Bool { Self.bit(errorBits, index) }
    func isRefused(_ index: Int) -> Bool { Self.bit(refusedBits, index) }

    static func bit(_ bits: [UInt64], _ index: Int) -> Bool {
        index / 64 < bits.count && bits[index / 64] & (1 << UInt64(index % 64)) != 0
    }

    static func set(_ bits: inout [UInt64], _ index: Int) {
        while bits.count <= index / 64 { bits.append(0) }
        bits[index / 64] |= 1 << UInt64(index % 64)
    }
}
