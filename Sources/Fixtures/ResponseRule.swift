import JSON
import ServiceModel

/// A response a test chooses for matching records: in the `--responses` file or a fixture job's
/// `responses`. Rules are tried in order; the first whose matchers all match answers the record.
///
///     {"recordId": "r-17", "text": "Paris"}
///     {"promptContains": "capital of France", "text": "Paris"}
///     {"recordId": "r-18", "error": {"errorCode": 400, "errorMessage": "..."}}
///     {"modelId": "amazon.titan-embed-*", "modelOutput": {"embedding": [0.1, 0.2], "inputTextTokenCount": 3}}
public struct ResponseRule: Sendable, Equatable {
    public enum Answer: Sendable, Equatable {
        /// Text the model family's shape wraps.
        case text(String)
        /// A whole `modelOutput`, written as given.
        case modelOutput(JSONValue)
        /// The record's `error`.
        case error(code: Int, message: String)
    }

    public var recordId: String?
    /// Text the record's prompt contains (case-sensitive).
    public var promptContains: String?
    /// The job's model id, or a prefix of it ending in `*`.
    public var modelId: String?
    public var answer: Answer

    public init(recordId: String? = nil, promptContains: String? = nil, modelId: String? = nil, answer: Answer) {
        self.recordId = recordId
        self.promptContains = promptContains
        self.modelId = modelId
        self.answer = answer
    }

    public static let keys = ["recordId", "promptContains", "modelId", "text", "modelOutput", "error"]

    /// True when every matcher the rule has matches; `prompt` is only computed when needed.
    public func matches(recordId: String, modelId: String, prompt: () -> String) -> Bool {
        if let wanted = self.recordId, wanted != recordId { return false }
        if let pattern = self.modelId {
            if pattern.hasSuffix("*") {
                if !modelId.hasPrefix(pattern.dropLast()) { return false }
            } else if pattern != modelId {
                return false
            }
        }
        if let text = promptContains, !prompt().contains(text) { return false }
        return true
    }

    /// Reads a list of rules: an array, or `{"responses": [...]}`; every problem names its path.
    public static func decodeList(_ value: JSONValue, at path: ValuePath = ValuePath()) -> ([ResponseRule], [Violation]) {
        var at = path
        var list = value
        if case .object = value, let inner = value["responses"] {
            at = path.appending("responses")
            list = inner
        }
        guard case .array(let elements) = list else {
            return ([], [Violation(at, .wrongType(expected: "an array of response rules", found: list.kindDescription))])
        }
        var rules: [ResponseRule] = []
        var violations: [Violation] = []
        for (index, element) in elements.enumerated() {
            switch decode(element, at: at.appending(index: index)) {
            case .success(let rule): rules.append(rule)
            case .failure(let found): violations.append(contentsOf: found.violations)
            }
        }
        return (rules, violations)
    }

    /// Reads one rule object.
    public static func decode(_ value: JSONValue, at path: ValuePath) -> Result<ResponseRule, ResponseRuleErrors> {
        guard case .object(let members) = value else {
            return .failure(ResponseRuleErrors([Violation(path, .wrongType(expected: "a response rule object", found: value.kindDescription))]))
        }
        var violations: [Violation] = []
        var matchers: [String: String] = [:]
        var answers: [Answer] = []
        for member in members {
            let at = path.appending(member.key)
            switch member.key {
            case "recordId", "promptContains", "modelId":
                guard case .string(let text) = member.value, !text.isEmpty else {
                    violations.append(Violation(at, .wrongType(expected: "a non-empty string", found: member.value.kindDescription)))
                    continue
                }
                matchers[member.key] = text
            case "text":
                guard case .string(let text) = member.value else {
                    violations.append(Violation(at, .wrongType(expected: "a string", found: member.value.kindDescription)))
                    continue
                }
                answers.append(.text(text))
            case "modelOutput":
                guard case .object = member.value else {
                    violations.append(Violation(at, .wrongType(expected: "an object", found: member.value.kindDescription)))
                    continue
                }
                answers.append(.modelOutput(member.value))
            case "error":
                guard let code = member.value["errorCode"]?.int64Value, (100...599).contains(code),
                    case .string(let message)? = member.value["errorMessage"]
                else {
                    violations.append(Violation(at, .other("expected {\"errorCode\": 100 to 599, \"errorMessage\": \"...\"}")))
                    continue
                }
                answers.append(.error(code: Int(code), message: message))
            default:
                violations.append(Violation(at, .other("unknown member; a rule has \(keys.joined(separator: ", "))")))
            }
        }
        if answers.count != 1, violations.isEmpty {
            violations.append(Violation(path, .other("a rule needs exactly one of text, modelOutput and error")))
        }
        guard violations.isEmpty, let answer = answers.first else { return .failure(ResponseRuleErrors(violations)) }
        return .success(ResponseRule(recordId: matchers["recordId"], promptContains: matchers["promptContains"], modelId: matchers["modelId"], answer: answer))
    }

    /// Reads a responses file: every problem is an error naming the file and the path.
    public static func load(path: String) throws(FixtureLoadError) -> [ResponseRule] {
        let bytes: [UInt8]
        do {
            bytes = try FixtureLoader.readFile(path)
        } catch {
            throw FixtureLoadError(errors: [error])
        }
        let value: JSONValue
        do throws(JSONSyntaxError) {
            value = try JSONParser.parse(bytes)
        } catch {
            throw FixtureLoadError(errors: [FixtureError(file: path, detail: "invalid JSON at \(error)")])
        }
        let (rules, violations) = decodeList(value)
        guard violations.isEmpty else { throw FixtureLoadError(errors: violations.map { FixtureError(file: path, detail: $0.description) }) }
        return rules
    }
}

/// The problems of a response rule.
public struct ResponseRuleErrors: Error, Sendable {
    public var violations: [Violation]

    init(_ violations: [Violation]) {
        self.violations = violations
    }
}
