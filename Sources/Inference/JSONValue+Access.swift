import JSON

/// Typed reads of a parsed value: each answers nil when the value is of another kind.
extension JSONValue {
    var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var array: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    var members: [JSONMember]? {
        if case .object(let members) = self { return members }
        return nil
    }

    var isObject: Bool { members != nil }

    var bool: Bool? {
        if case .bool(let flag) = self { return flag }
        return nil
    }

    /// The number as a double (the standard library's parser; JSON number syntax is a subset of what it reads).
    var double: Double? {
        guard case .number(let literal) = self, let value = Double(literal), value.isFinite else { return nil }
        return value
    }

    /// The member at `path`, one object level a name.
    subscript(path first: String, _ rest: String...) -> JSONValue? {
        var value = self[first]
        for name in rest { value = value?[name] }
        return value
    }

    /// The kind of the value as Bedrock's request validator (a Java JSON Schema validator, everit)
    /// names it in "expected type: X, found: Y": org.json reads integers as Integer, Long or
    /// BigInteger by size and other numbers as BigDecimal.
    var validatorTypeName: String {
        switch self {
        case .null: return "Null"
        case .bool: return "Boolean"
        case .string: return "String"
        case .array: return "JSONArray"
        case .object: return "JSONObject"
        case .number(let literal):
            guard let integer = Int64(literal) else {
                let isInteger = !literal.contains { $0 == "." || $0 == "e" || $0 == "E" }
                return isInteger ? "BigInteger" : "BigDecimal"
            }
            return Int32(exactly: integer) != nil ? "Integer" : "Long"
        }
    }

    /// The value as the validator prints it in "X is not a valid enum value" (strings unquoted).
    var validatorText: String {
        switch self {
        case .string(let text): return text
        case .number(let literal): return literal
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return "null"
        case .array: return "[...]"
        case .object: return "{...}"
        }
    }
}

/// Members of output objects, briefly.
extension JSONValue {
    static func integer(_ number: Int64) -> JSONValue { .number(String(number)) }
    static func integer(_ number: Int) -> JSONValue { .number(String(number)) }

    static func fields(_ pairs: KeyValuePairs<String, JSONValue>) -> JSONValue {
        .object(pairs.map { JSONMember($0.key, $0.value) })
    }
}
