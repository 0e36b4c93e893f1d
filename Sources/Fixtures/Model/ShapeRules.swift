import Synchronization

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

    /// True when `text` matches the whole of `pattern`, a pattern of the model. The patterns every
    /// request or job checks have hand-written matchers; other answers are remembered (fixtures
    /// repeat role ARNs, model ids and buckets), up to `rememberedLimit` of them.
    public static func matches(_ text: String, pattern: String) -> Bool {
        if let fast = fastMatchers[pattern], let answer = fast(text) { return answer }
        let key = RememberedKey(pattern: pattern, text: text)
        if let answer = remembered.withLock({ $0[key] }) { return answer }
        guard let regex = patterns[pattern] else { preconditionFailure("pattern is not in the model: \(pattern)") }
        let answer = (try? regex.wholeMatch(in: text)) != nil
        remembered.withLock { cache in
            if cache.count >= rememberedLimit { cache.removeAll(keepingCapacity: true) }
            cache[key] = answer
        }
        return answer
    }

    private struct RememberedKey: Hashable {
        let pattern: String
        let text: String
    }

    static let rememberedLimit = 65_536
    private static let remembered = Mutex<[RememberedKey: Bool]>([:])

    /// Hand-written matchers by pattern; nil from one means "ask the pattern".
    private static let fastMatchers: [String: @Sendable (String) -> Bool?] = [
        ServiceModel.shape("ModelInvocationJobIdentifier").pattern!: { FastPatterns.isJobIdentifier($0) },
        ServiceModel.shape("ModelInvocationJobArn").pattern!: { FastPatterns.isJobArn($0) },
        ServiceModel.shape("ModelInvocationJobName").pattern!: { FastPatterns.isJobName($0) },
    ]

    /// The model's pattern engine alone (tests compare the hand-written matchers with it).
    public static func matchesByPattern(_ text: String, pattern: String) -> Bool {
        guard let regex = patterns[pattern] else { preconditionFailure("pattern is not in the model: \(pattern)") }
        return (try? regex.wholeMatch(in: text)) != nil
    }

    /// Violations of a string value: enum, then length, then pattern.
    public static func stringViolations(_ text: String, _ shape: Shape, _ path: ValuePath) -> [Violation] {
        let valid = (shape.enumValues.isEmpty || shape.enumValues.contains(text))
            && shape.min.map({ text.utf8.count >= $0 }) ?? true  // a scalar is at most 4 UTF-8 bytes, at least 1
            && shape.max.map({ text.utf8.count <= $0 }) ?? true
            && shape.pattern.map({ matches(text, pattern: $0) }) ?? true
        if valid, text.utf8.count == text.unicodeScalars.count || shape.min == nil && shape.max == nil { return [] }
        let rendered = shape.isSensitive ? "'*** Sensitive Data Redacted ***'" : "'\(text)'"
        var found: [Violation] = []
        if !shape.enumValues.isEmpty, !shape.enumValues.contains(text) {
            let set = "[" + shape.enumValues.joined(separator: ", ") + "]"
            found.append(Violation(path, .constraint(value: rendered, rule: "Member must satisfy enum value set: \(set)")))
        }
        found.append(contentsOf: lengthViolations(count: text.unicodeScalars.count, shape, render: rendered, path))
        if let pattern = shape.pattern, !matches(text, pattern: pattern) {
            found.append(Violation(path, .constraint(value: rendered, rule: "Member must satisfy regular expression pattern: \(pattern)")))
        }
        return found
    }

    /// Violations of the length of a string or list.
    public static func lengthViolations(count: Int, _ shape: Shape, render: String, _ path: ValuePath) -> [Violation] {
        if let min = shape.min, count < min {
            return [Violation(path, .constraint(value: render, rule: "Member must have length greater than or equal to \(min)"))]
        }
        if let max = shape.max, count > max {
            return [Violation(path, .constraint(value: render, rule: "Member must have length less than or equal to \(max)"))]
        }
        return []
    }

    /// Violations of the value of an integer or long.
    public static func rangeViolations(_ number: Int64, _ shape: Shape, _ path: ValuePath) -> [Violation] {
        if let min = shape.min, number < min {
            return [Violation(path, .constraint(value: "'\(number)'", rule: "Member must have value greater than or equal to \(min)"))]
        }
        if let max = shape.max, number > max {
            return [Violation(path, .constraint(value: "'\(number)'", rule: "Member must have value less than or equal to \(max)"))]
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
