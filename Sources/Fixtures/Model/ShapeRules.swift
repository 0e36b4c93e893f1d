
/// The scalar constraints of the model (length, range, enum, pattern), worded as AWS words them.
/// Used by `ShapeValidator` for JSON documents and directly for URI and query members.
public enum ShapeRules {
    /// The model's patterns compiled once, matched against whole values as AWS does.
    nonisolated(unsafe) private static let patterns: [String: Regex<AnyRegexOutput>] = {
        var compiled: [String: Regex<AnyRegexOutput>] = [:]
        for shape in ServiceModel.shapes.values {
            guard let pattern = shape.pattern, compiled[pattern] == nil else { continue }
            do {
                compiled[pattern] = try Regex(pattern)
            } catch {
                preconditionFailure("pattern of \(shape.name) does not compile: \(error)")
            }
        }
        return compiled
    }()

    /// True when `text` matches the whole of `pattern`, a pattern of the model.
    public static func matches(_ text: String, pattern: String) -> Bool {
        guard let shape = shapeByPattern[pattern] else { preconditionFailure("pattern is not in the model: \(pattern)") }
        return matches(text, shape: shape)
    }

    /// True when `text` matches the whole of the shape's pattern. The patterns every request or job
    /// checks have hand-written matchers; other answers are remembered (fixtures repeat role ARNs,
    /// model ids and buckets), up to `rememberedLimit` of them. Keyed by the shape's (short) name:
    /// hashing a 600-character pattern per value would cost more than matching it.
    static func matches(_ text: String, shape: Shape) -> Bool {
        if let fast = fastMatchers[shape.name], let answer = fast(text) { return answer }
        let key = RememberedKey(shape: shape.name, text: text)
        if let answer = remembered.withLock({ $0[key] }) { return answer }
        let answer = matchesByPattern(text, pattern: shape.pattern!)
        remembered.withLock { cache in
            if cache.count >= rememberedLimit { cache.removeAll(keepingCapacity: true) }
            cache[key] = answer
        }
        return answer
    }

    private struct RememberedKey: Hashable {
        let shape: String
        let text: String
    }

    static let rememberedLimit = 65_536
    private static let remembered = Locked<[RememberedKey: Bool]>([:])

    /// One shape for each pattern of the model (shapes that share a pattern share its answers).
    private static let shapeByPattern: [String: Shape] = {
        var byPattern: [String: Shape] = [:]
        for shape in ServiceModel.shapes.values.sorted(by: { $0.name < $1.name }) {
            if let pattern = shape.pattern, byPattern[pattern] == nil { byPattern[pattern] = shape }
        }
        return byPattern
    }()

    /// Hand-written matchers by shape name; nil from one means "ask the pattern".
    private static let fastMatchers: [String: @Sendable (String) -> Bool?] = [
        "ModelInvocationJobIdentifier": { FastPatterns.isJobIdentifier($0) },
        "ModelInvocationJobArn": { FastPatterns.isJobArn($0) },
        "ModelInvocationJobName": { FastPatterns.isJobName($0) },
    ]

    /// The model's pattern engine alone (tests compare the hand-written matchers with it).
    public static func matchesByPattern(_ text: String, pattern: String) -> Bool {
        guard let regex = patterns[pattern] else { preconditionFailure("pattern is not in the model: \(pattern)") }
        return (try? regex.wholeMatch(in: text)) != nil
    }

    /// Whether a string value satisfies the shape (a quick check: `stringViolations` is empty exactly then).
    public static func isValidString(_ text: String, _ shape: Shape) -> Bool {
        let valid = (shape.enumValues.isEmpty || shape.enumValues.contains(text))
            && shape.min.map({ text.utf8.count >= $0 }) ?? true  // a scalar is at most 4 UTF-8 bytes, at least 1
            && shape.max.map({ text.utf8.count <= $0 }) ?? true
            && (shape.pattern == nil || matches(text, shape: shape))
        return valid && (shape.min == nil && shape.max == nil || isASCII(text))
    }

    private static func isASCII(_ text: String) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { bytes in
            var high: UInt8 = 0
            for byte in bytes { high |= byte }
            return high & 0x80 == 0
        } ?? text.utf8.allSatisfy { $0 < 0x80 }
    }

    /// Violations of a string value: enum, then length, then pattern.
    /// The path (and any rendering) is only made when there is a violation.
    public static func stringViolations(_ text: String, _ shape: Shape, _ path: @autoclosure () -> ValuePath) -> [Violation] {
        if isValidString(text, shape) { return [] }
        let path = path()
        let rendered = shape.isSensitive ? "'*** Sensitive Data Redacted ***'" : "'\(text)'"
        var found: [Violation] = []
        if !shape.enumValues.isEmpty, !shape.enumValues.contains(text) {
            let set = "[" + shape.enumValues.joined(separator: ", ") + "]"
            found.append(Violation(path, .constraint(value: rendered, rule: "Member must satisfy enum value set: \(set)")))
        }
        found.append(contentsOf: lengthViolations(count: text.unicodeScalars.count, shape, render: rendered, path))
        if let pattern = shape.pattern, !matches(text, shape: shape) {
            found.append(Violation(path, .constraint(value: rendered, rule: "Member must satisfy regular expression pattern: \(pattern)")))
        }
        return found
    }

    /// Violations of the length of a string or list.
    public static func lengthViolations(count: Int, _ shape: Shape, render: @autoclosure () -> String, _ path: @autoclosure () -> ValuePath) -> [Violation] {
        if let min = shape.min, count < min {
            return [Violation(path(), .constraint(value: render(), rule: "Member must have length greater than or equal to \(min)"))]
        }
        if let max = shape.max, count > max {
            return [Violation(path(), .constraint(value: render(), rule: "Member must have length less than or equal to \(max)"))]
        }
        return []
    }

    /// Violations of the value of an integer or long.
    public static func rangeViolations(_ number: Int64, _ shape: Shape, _ path: @autoclosure () -> ValuePath) -> [Violation] {
        if let min = shape.min, number < min {
            return [Violation(path(), .constraint(value: "'\(number)'", rule: "Member must have value greater than or equal to \(min)"))]
        }
        if let max = shape.max, number > max {
            return [Violation(path(), .constraint(value: "'\(number)'", rule: "Member must have value less than or equal to \(max)"))]
        }
        return []
    }

    /// A list rendered the way AWS renders it in messages: `'[a, b]'`.
    static func render(list elements: [JSONValue], _ shape: Shape) -> String {
        let parts = elements.map { element -> String in
            switch element {
            case .string(let text): text
            case .number(let literal): literal
            case .bool(let flag): String(flag)
            case .null: "null"
            case .array, .object: "..."
            }
        }
        return "'[" + parts.joined(separator: ", ") + "]'"
    }
}
