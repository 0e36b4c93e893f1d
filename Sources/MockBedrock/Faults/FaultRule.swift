import Fixtures

/// A fault rule in force: what it was asked to do, its id, and what it has done so far.
public struct FaultRule: Sendable {
    public let id: String
    public let spec: FaultRuleSpec
    /// The job whose fixture defined the rule (it applies to that job only), nil for rules made by the admin API.
    public let fixtureJobId: String?
    /// Requests the rule has answered.
    public internal(set) var fired = 0
    /// Requests that matched, including those let through by `after` or `probability`.
    public internal(set) var matched = 0
    private var random: SplitMix64
    /// `spec.jobId` split at its stars, as bytes.
    private let jobIdGlob: Glob?

    init(id: String, spec: FaultRuleSpec, fixtureJobId: String? = nil) {
        self.id = id
        self.spec = spec
        self.fixtureJobId = fixtureJobId
        self.random = spec.seed.map(SplitMix64.init(seed:)) ?? .unseeded()
        self.jobIdGlob = spec.jobId.map(Glob.init)
    }

    /// True when the request is one the rule is aimed at.
    func matches(_ request: FaultContext) -> Bool {
        if let operation = spec.operation, operation != request.operation { return false }
        if let fixtureJobId, fixtureJobId != request.jobId { return false }
        if let jobIdGlob {
            // The id and the identifier first: the ARN costs a look-up in the store.
            guard
                [request.identifier, request.jobId].contains(where: { $0.map(jobIdGlob.matches) ?? false })
                    || request.jobArn().map(jobIdGlob.matches) ?? false
            else { return false }
        }
        if let status = spec.status, status != request.status() { return false }
        return true
    }

    /// Counts a matching request and says whether the rule fires on it: past `after`, within
    /// `times`, and, with a `probability`, when the next draw of its sequence falls under it.
    mutating func fires() -> Bool {
        matched += 1
        if matched <= spec.after { return false }
        if let times = spec.times, fired >= times { return false }
        if let probability = spec.probability, random.nextUnit() >= probability { return false }
        fired += 1
        return true
    }

    /// The delay before the answer, drawn from the rule's sequence for a range.
    mutating func delayMilliseconds() -> Int {
        switch spec.delay {
        case nil: 0
        case .fixed(let milliseconds): milliseconds
        case .range(let low, let high): low + Int(random.next() % UInt64(high - low + 1))
        }
    }
}

/// What fault rules look at in a request. The job's ARN and status are looked up only when a
/// rule asks, and once.
final class FaultContext {
    let operation: String
    /// The job identifier as the request gave it (id or ARN), if the operation has one.
    let identifier: String?
    let jobId: String?
    private let lookUpArn: () -> String?
    private let lookUpStatus: () -> JobStatus?
    private lazy var arn: String? = lookUpArn()
    private lazy var currentStatus: JobStatus? = lookUpStatus()

    init(operation: String, identifier: String?, jobId: String?, jobArn: @escaping () -> String?, status: @escaping () -> JobStatus?) {
        self.operation = operation
        self.identifier = identifier
        self.jobId = jobId
        self.lookUpArn = jobArn
        self.lookUpStatus = status
    }

    /// The job's ARN; asked only by rules that match on jobId.
    func jobArn() -> String? { arn }
    /// The job's status at the clock's time; asked only by rules that match on status.
    func status() -> JobStatus? { currentStatus }
}

/// `*` matches any run of characters, everything else itself. Matched on UTF-8 bytes.
struct Glob: Sendable {
    private let parts: [[UInt8]]

    init(_ pattern: String) {
        parts = pattern.utf8.split(separator: UInt8(ascii: "*"), omittingEmptySubsequences: false).map(Array.init)
    }

    /// The longest text a glob is matched against: job identifiers and ARNs are at most 1011
    /// characters, and the search below takes time in the text's length times the pattern's.
    static let longestText = 2048

    func matches(_ text: String) -> Bool {
        guard text.utf8.count <= Self.longestText else { return false }
        let bytes = Array(text.utf8)
        guard parts.count > 1 else { return bytes == parts[0] }
        let first = parts[0]
        let last = parts[parts.count - 1]
        guard bytes.count >= first.count + last.count, bytes.starts(with: first), bytes.suffix(last.count).elementsEqual(last) else {
            return false
        }
        var position = first.count
        let end = bytes.count - last.count
        for part in parts.dropFirst().dropLast() where !part.isEmpty {
            guard let found = Self.find(part, in: bytes, from: position, to: end) else { return false }
            position = found + part.count
        }
        return true
    }

    static func matches(_ pattern: String, _ text: String) -> Bool {
        Glob(pattern).matches(text)
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int, to end: Int) -> Int? {
        guard end - start >= needle.count else { return nil }
        for index in start...(end - needle.count) where haystack[index] == needle[0] {
            if haystack[index..<index + needle.count].elementsEqual(needle) { return index }
        }
        return nil
    }
}
