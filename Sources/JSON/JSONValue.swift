/// A JSON document as parsed, with the order of object members kept and numbers kept as written,
/// so that a job pasted from AWS is served back member for member and digit for digit.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's literal text, validated as JSON number syntax.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    /// The member named `key`, if this is an object that has one.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        // Comparing lengths first skips the standard library's out-of-line string comparison for most members.
        return members.first { $0.key.utf8.count == key.utf8.count && $0.key == key }?.value
    }

    /// What a message calls this kind of value: "a string", "an object", ...
    public var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The value as a whole number, if it is a JSON number without fraction or exponent that fits in 64 bits.
    public var int64Value: Int64? {
        guard case .number(let text) = self else { return nil }
        return Int64(text)
    }
}

/// One member of a JSON object.
public struct JSONMember: Sendable, Equatable {
    public var key: String
    public var value: JSONValue

    public init(_ key: String, _ value: JSONValue) {
        self.key = key
        self.value = value
    }
}
