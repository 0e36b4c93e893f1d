import JSON

/// A small JSON Schema validator for the tests: the keywords the sampler claims to keep (types,
/// properties, required, additionalProperties false, enum, const, items, prefixItems, min/maxItems,
/// $ref, anyOf, oneOf, allOf, bounds, multipleOf, lengths, formats). Independent of the sampler's code.
struct SchemaValidator {
    let root: JSONValue

    /// The violations of `value` against the root schema, each "<path>: <what>".
    func errors(of value: JSONValue) -> [String] {
        errors(value, root, path: "$", depth: 0)
    }

    private func errors(_ value: JSONValue, _ schema: JSONValue, path: String, depth: Int) -> [String] {
        guard depth < 80 else { return ["\(path): too deep"] }
        if case .bool(let allowed) = schema { return allowed ? [] : ["\(path): false schema"] }
        guard case .object = schema else { return [] }
        if case .string(let pointer)? = schema["$ref"] {
            guard let target = resolve(pointer) else { return ["\(path): unresolvable \(pointer)"] }
            return errors(value, target, path: path, depth: depth + 1)
        }
        var found: [String] = []
        if let constant = schema["const"], constant != value { found.append("\(path): not the const") }
        if case .array(let options)? = schema["enum"], !options.contains(value) { found.append("\(path): not in enum") }
        if case .array(let parts)? = schema["allOf"] {
            for part in parts { found += errors(value, part, path: path, depth: depth + 1) }
        }
        for keyword in ["anyOf", "oneOf"] {
            if case .array(let parts)? = schema[keyword], !parts.contains(where: { errors(value, $0, path: path, depth: depth + 1).isEmpty }) {
                found.append("\(path): no \(keyword) branch holds")
            }
        }
        if let types = typeNames(schema["type"]), !types.contains(where: { Self.value(value, isOfType: $0) }) {
            return found + ["\(path): not of type \(types)"]
        }
        switch value {
        case .object(let members): found += objectErrors(members, schema, path: path, depth: depth)
        case .array(let elements): found += arrayErrors(elements, schema, path: path, depth: depth)
        case .string(let text): found += stringErrors(text, schema, path: path)
        case .number(let literal): found += numberErrors(Double(literal) ?? .nan, schema, path: path)
        default: break
        }
        return found
    }

    private func typeNames(_ type: JSONValue?) -> [String]? {
        switch type {
        case .string(let name)?: return [name]
        case .array(let names)?: return names.compactMap { if case .string(let name) = $0 { return name } else { return nil } }
        default: return nil
        }
    }

    static func value(_ value: JSONValue, isOfType type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null), ("number", .number): return true
        case ("integer", .number(let literal)): return Int64(literal) != nil
        default: return false
        }
    }

    private func objectErrors(_ members: [JSONMember], _ schema: JSONValue, path: String, depth: Int) -> [String] {
        var found: [String] = []
        let names = members.map(\.key)
        if case .array(let required)? = schema["required"] {
            for case .string(let name) in required where !names.contains(name) { found.append("\(path): missing \(name)") }
        }
        let properties = schema["properties"]
        for member in members {
            if let propertySchema = properties?[member.key] {
                found += errors(member.value, propertySchema, path: "\(path).\(member.key)", depth: depth + 1)
            } else if schema["additionalProperties"] == .bool(false) {
                found.append("\(path): extra member \(member.key)")
            }
        }
        if let minimum = schema["minProperties"]?.int64Value, members.count < minimum { found.append("\(path): too few members") }
        return found
    }

    private func arrayErrors(_ elements: [JSONValue], _ schema: JSONValue, path: String, depth: Int) -> [String] {
        var found: [String] = []
        if let minimum = schema["minItems"]?.int64Value, elements.count < minimum { found.append("\(path): too few items") }
        if let maximum = schema["maxItems"]?.int64Value, elements.count > maximum { found.append("\(path): too many items") }
        var prefix: [JSONValue] = []
        if case .array(let schemas)? = schema["prefixItems"] { prefix = schemas }
        for (index, element) in elements.enumerated() {
            let itemSchema = index < prefix.count ? prefix[index] : schema["items"] ?? .bool(true)
            found += errors(element, itemSchema, path: "\(path)[\(index)]", depth: depth + 1)
        }
        return found
    }

    private func stringErrors(_ text: String, _ schema: JSONValue, path: String) -> [String] {
        var found: [String] = []
        let length = text.unicodeScalars.count
        if let minimum = schema["minLength"]?.int64Value, length < minimum { found.append("\(path): too short") }
        if let maximum = schema["maxLength"]?.int64Value, length > maximum { found.append("\(path): too long") }
        if case .string(let format)? = schema["format"], !Self.matches(text, format: format) { found.append("\(path): not a \(format)") }
        return found
    }

    private func numberErrors(_ number: Double, _ schema: JSONValue, path: String) -> [String] {
        func bound(_ name: String) -> Double? {
            if case .number(let literal)? = schema[name] { return Double(literal) }
            return nil
        }
        var found: [String] = []
        let draft4Minimum = schema["exclusiveMinimum"] == .bool(true)
        let draft4Maximum = schema["exclusiveMaximum"] == .bool(true)
        if let minimum = bound("minimum"), draft4Minimum ? number <= minimum : number < minimum { found.append("\(path): below minimum") }
        if let maximum = bound("maximum"), draft4Maximum ? number >= maximum : number > maximum { found.append("\(path): above maximum") }
        if let minimum = bound("exclusiveMinimum"), number <= minimum { found.append("\(path): not above exclusiveMinimum") }
        if let maximum = bound("exclusiveMaximum"), number >= maximum { found.append("\(path): not below exclusiveMaximum") }
        if let step = bound("multipleOf"), step > 0 {
            let quotient = number / step
            if abs(quotient - quotient.rounded()) > 1e-6 { found.append("\(path): not a multiple of \(step)") }
        }
        return found
    }

    /// The formats, checked by their shape.
    static func matches(_ text: String, format: String) -> Bool {
        let bytes = Array(text.utf8)
        func digits(_ range: Range<Int>) -> Bool { range.upperBound <= bytes.count && bytes[range].allSatisfy { (48...57).contains($0) } }
        func isDate(_ start: Int) -> Bool {
            digits(start..<start + 4) && bytes.count > start + 9 && bytes[start + 4] == 45 && digits(start + 5..<start + 7) && bytes[start + 7] == 45
                && digits(start + 8..<start + 10)
        }
        switch format {
        case "date": return bytes.count == 10 && isDate(0)
        case "date-time":
            return bytes.count >= 20 && isDate(0) && bytes[10] == UInt8(ascii: "T") && digits(11..<13) && bytes[13] == 58 && digits(14..<16)
                && bytes[16] == 58 && digits(17..<19) && (text.hasSuffix("Z") || text.dropFirst(19).contains("+") || text.dropFirst(19).contains("-"))
        case "email":
            let parts = text.split(separator: "@", omittingEmptySubsequences: false)
            return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
        case "uri": return text.contains("://") && text.prefix { $0 != ":" }.allSatisfy(\.isLetter)
        case "uuid":
            let groups = text.split(separator: "-", omittingEmptySubsequences: false)
            return groups.map(\.count) == [8, 4, 4, 4, 12] && groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
        default: return true
        }
    }

    private func resolve(_ pointer: String) -> JSONValue? {
        guard pointer.hasPrefix("#") else { return nil }
        var current: JSONValue? = root
        for segment in pointer.dropFirst().split(separator: "/") {
            let name = String(segment).replacing("~1", with: "/").replacing("~0", with: "~")
            if case .array(let elements)? = current, let index = Int(name), elements.indices.contains(index) {
                current = elements[index]
            } else {
                current = current?[name]
            }
        }
        return current
    }
}
