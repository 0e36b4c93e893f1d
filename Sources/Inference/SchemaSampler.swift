import JSON

/// Builds a deterministic value valid against a tool's JSON Schema: the arguments of the tool call
/// the mock answers with. Pipelines that extract structured data parse exactly these, so the value
/// keeps every constraint it can: types, `properties` and `required`, `enum`, `const`, `items`,
/// `prefixItems`, `minItems`/`maxItems`, `$ref` (JSON pointers into the schema, so `#/$defs/...` and
/// `#/definitions/...`), `anyOf`/`oneOf` (the first branch), `allOf` (merged), bounds, lengths, formats.
/// `pattern` is not followed.
///
/// Hostile schemas stay cheap: recursion stops at `maxDepth`, a `$ref` met a second time on the
/// path switches to the smallest value (required members only, `minItems` items), a third time gives
/// an empty value, and a budget of nodes caps the output whatever the schema multiplies.
struct SchemaSampler {
    static let maxDepth = 64
    /// Past this depth only required members and `minItems` items are made.
    static let leanDepth = 12
    static let maxItems = 64
    static let maxStringLength = 4096
    static let nodeBudget = 4096

    let root: JSONValue
    var generator: SeededGenerator
    var budget = SchemaSampler.nodeBudget
    /// Units of work done: schemas visited, members scanned, pointer bytes read. Deterministic, so
    /// that tests can check the cost of hostile schemas without a clock.
    var work = 0

    /// Where the walk stands: its depth, the `$ref`s it followed, and whether one of them repeated.
    struct Context {
        var depth = 0
        var refs: [String] = []
        var cycle = false

        func deeper() -> Context {
            var next = self
            next.depth += 1
            return next
        }
    }

    /// A value for `schema`, drawing from (and advancing) `generator`.
    static func sample(_ schema: JSONValue, generator: inout SeededGenerator) -> JSONValue {
        sampleCountingWork(schema, generator: &generator).value
    }

    /// A value for `schema`, and the work it took.
    static func sampleCountingWork(_ schema: JSONValue, generator: inout SeededGenerator) -> (value: JSONValue, work: Int) {
        var sampler = SchemaSampler(root: schema, generator: generator)
        let value = sampler.value(for: schema, context: Context(), variant: 0)
        generator = sampler.generator
        return (value, sampler.work)
    }

    func isLean(_ context: Context) -> Bool {
        context.depth >= Self.leanDepth || context.cycle || budget <= 0
    }

    /// `variant` tells the items of one array apart (enum members, strings), for `uniqueItems`.
    mutating func value(for schema: JSONValue, context: Context, variant: Int) -> JSONValue {
        budget -= 1
        work += 1
        guard case .object(let members) = schema else {
            // `true` (or a schema that is not an object) allows anything; `false` allows nothing.
            if case .bool(false) = schema { return .null }
            return .string(TextGenerator.phrase(&generator))
        }
        guard context.depth < Self.maxDepth, budget > -Self.nodeBudget else { return stub(schema) }
        // Each keyword is looked up by a scan of the members.
        work += members.count
        if let pointer = schema["$ref"]?.string { return reference(pointer, context: context, variant: variant) }
        if let constant = schema["const"] { return constant }
        if let options = schema["enum"]?.array, !options.isEmpty { return options[variant % options.count] }
        for keyword in ["allOf", "anyOf", "oneOf"] {
            guard let parts = schema[keyword]?.array, !parts.isEmpty else { continue }
            // allOf: every part at once; anyOf and oneOf: the first branch, with the keywords beside it.
            let chosen = keyword == "allOf" ? parts : [parts[0]]
            return value(for: .object(merge(members, dropping: keyword, with: chosen, context: context)), context: context.deeper(), variant: variant)
        }
        switch Self.type(of: schema) {
        case "object": return object(schema, context: context)
        case "array": return array(schema, context: context)
        case "integer": return integer(schema, variant: variant)
        case "number": return number(schema, variant: variant)
        case "boolean": return .bool(variant % 2 == 0)
        case "null": return .null
        default: return string(schema, variant: variant)
        }
    }

    private mutating func reference(_ pointer: String, context: Context, variant: Int) -> JSONValue {
        let seen = context.refs.lazy.filter { $0 == pointer }.count
        work += context.refs.count + pointer.utf8.count
        guard let target = resolve(pointer) else { return .null }
        if seen >= 2 { return stub(target) }
        var next = context.deeper()
        next.refs.append(pointer)
        next.cycle = next.cycle || seen == 1
        return value(for: target, context: next, variant: variant)
    }

    /// The schema a local JSON pointer ("#", "#/$defs/Name", "#/properties/a/items") names.
    mutating func resolve(_ pointer: String) -> JSONValue? {
        guard pointer.hasPrefix("#") else { return nil }
        var current = root
        for raw in pointer.utf8.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            let segment = Self.unescape(raw)
            if case .array(let elements) = current {
                guard let index = Int(segment), elements.indices.contains(index) else { return nil }
                current = elements[index]
            } else {
                // The member is found by a scan.
                let members = current.members ?? []
                work += (members.firstIndex { $0.key == segment } ?? members.count) + 1
                guard let next = current[segment] else { return nil }
                current = next
            }
        }
        return current
    }

    /// A pointer segment with "~1" read as "/" and "~0" as "~" (RFC 6901).
    static func unescape<Bytes: Sequence<UInt8>>(_ segment: Bytes) -> String {
        var bytes: [UInt8] = []
        var tilde = false
        for byte in segment {
            if tilde {
                bytes.append(byte == UInt8(ascii: "1") ? UInt8(ascii: "/") : byte == UInt8(ascii: "0") ? UInt8(ascii: "~") : byte)
                tilde = false
            } else if byte == UInt8(ascii: "~") {
                tilde = true
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `base` without `keyword`, with the members of `parts` added: `properties` joined, `required`
    /// joined, any other keyword kept where `base` lacks it. A part that is a `$ref` is followed once.
    private mutating func merge(_ base: [JSONMember], dropping keyword: String, with parts: [JSONValue], context: Context) -> [JSONMember] {
        var result = base.filter { $0.key != keyword }
        work += base.count
        var keys = Set(result.map(\.key))
        var joined: [String: Int] = [:]  // where `properties` and `required` are in `result`
        for (index, member) in result.enumerated() where member.key == "properties" || member.key == "required" { joined[member.key] = index }
        for part in parts {
            var resolved = part
            if let pointer = part["$ref"]?.string, !context.refs.contains(pointer), let target = resolve(pointer) { resolved = target }
            guard case .object(let partMembers) = resolved else { continue }
            work += partMembers.count
            for member in partMembers {
                if let index = joined[member.key] {
                    if case .object(let old) = result[index].value, case .object(let new) = member.value {
                        result[index].value = .object(old + new)
                    } else if case .array(let old) = result[index].value, case .array(let new) = member.value {
                        result[index].value = .array(old + new)
                    }
                } else if keys.insert(member.key).inserted {
                    if member.key == "properties" || member.key == "required" { joined[member.key] = result.count }
                    result.append(member)
                }
            }
        }
        return result
    }

    private mutating func object(_ schema: JSONValue, context: Context) -> JSONValue {
        let lean = isLean(context)
        let properties = schema["properties"]?.members ?? []
        let required = Set((schema["required"]?.array ?? []).compactMap(\.string))
        work += properties.count + required.count
        var names: Set<String> = []
        var members: [JSONMember] = []
        for property in properties where !lean || required.contains(property.key) {
            guard names.insert(property.key).inserted else { continue }
            members.append(JSONMember(property.key, value(for: property.value, context: context.deeper(), variant: 0)))
        }
        // Required names the properties do not describe take the additionalProperties schema.
        let additional = schema["additionalProperties"]
        var extraSchema: JSONValue = .bool(true)
        if let additional, additional.isObject { extraSchema = additional }
        for name in (schema["required"]?.array ?? []).compactMap(\.string) where names.insert(name).inserted {
            members.append(JSONMember(name, value(for: extraSchema, context: context.deeper(), variant: 0)))
        }
        if additional != .bool(false), let minimum = schema["minProperties"]?.int64Value {
            var extra = 1
            while members.count < min(Int(clamping: minimum), Self.maxItems), budget > 0 {
                let name = "property_\(extra)"
                extra += 1
                if names.insert(name).inserted { members.append(JSONMember(name, value(for: extraSchema, context: context.deeper(), variant: extra))) }
            }
        }
        return .object(members)
    }

    private mutating func array(_ schema: JSONValue, context: Context) -> JSONValue {
        let minimum = min(max(Int(clamping: schema["minItems"]?.int64Value ?? 0), 0), Self.maxItems)
        let maximum = max(Int(clamping: schema["maxItems"]?.int64Value ?? Int64(Self.maxItems)), 0)
        var count = min(isLean(context) ? minimum : max(minimum, 1), maximum)
        // prefixItems (2020-12), or items as an array (draft 4 to 2019-09): the schemas of the first items.
        let prefix = schema["prefixItems"]?.array ?? schema["items"]?.array ?? []
        let rest: JSONValue = schema["items"].flatMap { $0.isObject || $0.bool != nil ? $0 : nil } ?? .bool(true)
        if rest == .bool(false) { count = min(count, prefix.count) }
        var elements: [JSONValue] = []
        for index in 0..<count {
            if budget <= 0, index >= minimum { break }
            if budget <= -Self.nodeBudget { break }
            elements.append(value(for: index < prefix.count ? prefix[index] : rest, context: context.deeper(), variant: index))
        }
        return .array(elements)
    }
}
