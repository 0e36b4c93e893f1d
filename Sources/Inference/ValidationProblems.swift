import JSON

/// The errors of Bedrock's InvokeModel request validator, in its words. Bedrock checks a body
/// against the model's JSON Schema with a Java validator (everit) and answers a ValidationException
/// whose message lists every violation, each "<JSON pointer>: <what>", run together:
///
///     Malformed input request: #: required key [max_tokens] not found#/messages/0: required key
///     [role] not found, please reformat your input and try again.
struct ValidationProblems {
    private(set) var list: [String] = []
    /// The violations a message lists at most (ours: Bedrock's validator lists them all), so that a
    /// record of a million bad messages gets an error of a few kilobytes, not of tens of megabytes.
    static let maxListed = 100

    enum Kind: String {
        case string = "String"
        case integer = "Integer"
        case number = "Number"
        case boolean = "Boolean"
        case array = "JSONArray"
        case object = "JSONObject"

        func admits(_ value: JSONValue) -> Bool {
            switch (self, value) {
            case (.string, .string), (.boolean, .bool), (.array, .array), (.object, .object), (.number, .number): return true
            case (.integer, .number(let literal)): return !literal.contains { $0 == "." || $0 == "e" || $0 == "E" }
            default: return false
            }
        }
    }

    /// Adds a violation; past `maxListed`, its text is not even made.
    mutating func add(_ problem: @autoclosure () -> String) {
        if list.count < Self.maxListed { list.append(problem()) }
    }

    /// "#: required key [name] not found" unless `object` has the member.
    mutating func require(_ name: String, in object: JSONValue, at pointer: String = "#") {
        if object[name] == nil { add("\(pointer): required key [\(name)] not found") }
    }

    /// "#/name: expected type: Integer, found: String" when `value` is there and of another kind.
    /// Answers whether the value is there and of the kind.
    @discardableResult
    mutating func expect(_ value: JSONValue?, _ kind: Kind, at pointer: String) -> Bool {
        guard let value else { return false }
        guard kind.admits(value) else {
            add("\(pointer): expected type: \(kind.rawValue), found: \(value.validatorTypeName)")
            return false
        }
        return true
    }

    /// "#/name: X is not a valid enum value" when `value` is there and not one of `allowed`.
    mutating func expect(_ value: JSONValue?, oneOf allowed: [JSONValue], at pointer: String) {
        guard let value, !allowed.contains(value) else { return }
        add("\(pointer): \(value.validatorText) is not a valid enum value")
    }

    /// "#/name: 0 is not greater or equal to 1" when the integer `value` is below `minimum`.
    mutating func expect(_ value: JSONValue?, atLeast minimum: Int64, at pointer: String) {
        guard let number = value?.int64Value, number < minimum else { return }
        add("\(pointer): \(number) is not greater or equal to \(minimum)")
    }

    /// Each message an object with the members `required`, `role` one of `roles` (when given), and
    /// `content` an array when `contentIsArray`. Linear in the number of messages.
    mutating func checkMessages(_ input: JSONValue, required: [String], roles: [String]?, contentIsArray: Bool) {
        guard let value = input["messages"], expect(value, .array, at: "#/messages"), let messages = value.array else { return }
        let allowedRoles = roles.map { $0.map(JSONValue.string) }
        for (index, message) in messages.enumerated() {
            let pointer = "#/messages/\(index)"
            guard expect(message, .object, at: pointer) else { continue }
            for name in required { require(name, in: message, at: pointer) }
            if let allowedRoles { expect(message["role"], oneOf: allowedRoles, at: pointer + "/role") }
            if contentIsArray { expect(message["content"], .array, at: pointer + "/content") }
        }
    }

    /// The exception's message, or nil when nothing is wrong.
    func message(after preamble: String? = nil) -> String? {
        guard !list.isEmpty else { return nil }
        return "Malformed input request: " + (preamble ?? "") + list.joined() + ", please reformat your input and try again."
    }

    /// The message for a body that is not a JSON object.
    static func notAnObject(_ input: JSONValue) -> String {
        var problems = ValidationProblems()
        problems.expect(input, .object, at: "#")
        return problems.message() ?? ""
    }
}
