import JSON
/// The scalar constraints of the model (length, range, enum, pattern), worded as AWS words them.
/// Used by `ShapeValidator` for JSON documents and directly for URI and query members.
public enum ShapeRules {
    /// The model's patterns compiled once for the linear-time engine, by pattern.
    private static let patterns: [String: LinearPattern] = {
        var compiled: [String: LinearPattern] = [:]
        for shape in ServiceModel.shapes.values {
            guard let pattern = shape.pattern, compiled[pattern] == nil else { continue }
            do {
                compiled[pattern] = try LinearPattern(pattern)
            } catch {
                // The model is generated and fixed at build time; a test compiles every pattern.
                preconditionFailure("\(error)")
            }
        }
        return compiled
    }()

    /// True when `text` matches the whole of `pattern`, a pattern of the model.
    public static func matches(_ text: String, pattern: String) -> Bool {
        // Callers pass patterns read from the generated model; a test checks every one is here.
        guard let shape = shapeByPattern[pattern] else { preconditionFailure("pattern is not in the model: \(pattern)") }
        return matches(text, shape: shape)
    }

    /// True when `text` matches the whole of the shape's pattern (true for a shape without one).
    /// The patterns every request or job checks, and the counted ones PCRE2's DFA walks slowly, have
    /// hand-written matchers; the rest go to the linear-time engine. Either way the time is linear
    /// in the length of `text`.
    static func matches(_ text: String, shape: Shape) -> Bool {
        if let fast = fastMatchers[shape.name] { return fast(text) }
        guard let pattern = shape.pattern, let compiled = patterns[pattern] else { return true }
        return compiled.matches(text)
    }

    /// One shape for each pattern of the model (shapes that share a pattern share its matcher).
    private static let shapeByPattern: [String: Shape] = {
        var byPattern: [String: Shape] = [:]
        for shape in ServiceModel.shapes.values.sorted(by: { $0.name < $1.name }) {
            if let pattern = shape.pattern, byPattern[pattern] == nil { byPattern[pattern] = shape }
        }
        return byPattern
    }()

    /// Hand-written matchers by shape name; each answers exactly what the model's pattern answers.
    private static let fastMatchers: [String: @Sendable (String) -> Bool] = [
        "ModelInvocationJobIdentifier": FastPatterns.isJobIdentifier,
        "ModelInvocationJobArn": FastPatterns.isJobArn,
        "ModelInvocationJobName": FastPatterns.isJobName,
        "ModelInvocationIdempotencyToken": FastPatterns.isIdempotencyToken,
    ]

    /// The model's pattern through the linear-time engine alone, without the hand-written matchers
    /// (tests and the fuzzer compare the two).
    public static func matchesByPattern(_ text: String, pattern: String) -> Bool {
        guard let compiled = patterns[pattern] else { preconditionFailure("pattern is not in the model: \(pattern)") }
        return compiled.matches(text)
    }

    /// Whether a string value satisfies the shape (a quick check: `stringViolations` is empty exactly then).
    public static func isValidString(_ text: String, _ shape: Shape) -> Bool {
        let valid =
            (shape.enumValues.isEmpty || shape.enumValues.contains(text))
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
