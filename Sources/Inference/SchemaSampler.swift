import JSON

/// Builds a deterministic value valid against a tool's JSON Schema: the arguments of the tool call
/// the mock answers with. Pipelines that extract structured data parse exactly these, so the value
/// keeps every constraint it can: types, `properties` and `required`, `enum`, `const`, `items`,
/// `prefixItems`, `minItems`/`maxItems`, `$ref` (JSON pointers into the schema, so `#/$defs/...` and
/// `#/definitions/...`), `anyOf`/`oneOf` (the first branch), `allOf` (merged), bounds, lengths, formats.
/// `pattern` is not followed.
///
/// Hostile schemas stay cheap: the document is read once (`SchemaDocument`: each schema's keywords,
/// each pointer), recursion stops at `maxDepth`, a `$ref` target met a second time on the path
/// switches to the smallest value (required members only, `minItems` items), a third time gives an
/// empty value, and a budget of nodes (merges, long names, strings and values spend it too) caps the work
/// whatever the schema multiplies. The output stops at `byteLimit` bytes of compact JSON (the
/// record's max tokens): `hitByteLimit` then says that something was left out.
struct SchemaSampler {
    static let maxDepth = 64
    /// Past this depth only required members and `minItems` items are made.
    static let leanDepth = 12
    static let maxItems = 64
    static let maxStringLength = 4096
    static let nodeBudget = 4096
    /// A long string or value spends a node of the budget a this many bytes.
    static let bytesPerNode = 32

    var document: SchemaDocument
    var generator: SeededGenerator
    var budget = SchemaSampler.nodeBudget
    /// The most bytes of compact JSON the value may take.
    let byteLimit: Int
    /// The bytes of compact JSON of the value made so far (containers counted closed).
    private(set) var bytes = 0
    /// Whether the value stopped at `byteLimit` with something left out.
    private(set) var hitByteLimit = false

    /// Units of work done: schemas visited, entries and members read, pointer bytes read, members
    /// merged and made. Deterministic, so that tests can check the cost of hostile schemas without a clock.
    var work: Int { document.work }

    /// Where the walk stands: its depth, the `$ref` targets it followed, and whether one of them repeated.
    struct Context {
        var depth = 0
        var refs: [Int] = []
        var cycle = false

        func deeper() -> Context {
            var next = self
            next.depth += 1
            return next
        }
    }

    /// What a sample gives: the value, whether it stopped at the byte limit, the work it took.
    struct Sample {
        var value: JSONValue
        var hitByteLimit: Bool
        var work: Int
        /// The compact JSON size of `value` as the sampler counted it.
        var bytes: Int
    }

    init(root: JSONValue, generator: SeededGenerator, byteLimit: Int) {
        document = SchemaDocument(root: root)
        self.generator = generator
        self.byteLimit = byteLimit
    }

    /// A value for `schema`, drawing from (and advancing) `generator`.
    static func sample(_ schema: JSONValue, generator: inout SeededGenerator, byteLimit: Int = Tokens.maxOutputBytes) -> Sample {
        var sampler = SchemaSampler(root: schema, generator: generator, byteLimit: byteLimit)
        let value = sampler.value(entry: SchemaDocument.root, context: Context(), variant: 0)
        generator = sampler.generator
        return Sample(value: value, hitByteLimit: sampler.hitByteLimit, work: sampler.work, bytes: sampler.bytes)
    }

    /// A value for `schema`, and the work it took.
    static func sampleCountingWork(_ schema: JSONValue, generator: inout SeededGenerator) -> (value: JSONValue, work: Int) {
        let sample = sample(schema, generator: &generator)
        return (sample.value, sample.work)
    }

    func isLean(_ context: Context) -> Bool {
        context.depth >= Self.leanDepth || context.cycle || budget <= 0
    }

    /// Whether no further member or item is made: the value has reached the byte limit, or the
    /// budget is spent three times over.
    mutating func mustStop() -> Bool {
        if bytes > byteLimit { hitByteLimit = true }
        return hitByteLimit || budget <= -2 * Self.nodeBudget
    }

    /// `value`, a leaf of `size` bytes of compact JSON.
    mutating func leaf(_ value: JSONValue, size: Int) -> JSONValue {
        bytes += size
        if size >= Self.bytesPerNode { budget -= size / Self.bytesPerNode }
        return value
    }

    mutating func value(entry: Int, context: Context, variant: Int) -> JSONValue {
        value(schema: document.schema(of: entry), context: context, variant: variant)
    }

    /// `variant` tells the items of one array apart (enum members, strings), for `uniqueItems`.
    mutating func value(schema index: Int, context: Context, variant: Int) -> JSONValue {
        budget -= 1
        document.work += 1
        let schema = document.schemas[index]
        switch schema.kind {
        // `true` (or a schema that is not an object) allows anything; `false` allows nothing.
        case .nothing: return leaf(.null, size: 4)
        case .anything: return text(TextGenerator.phrase(&generator))
        case .object: break
        }
        guard context.depth < Self.maxDepth, budget > -Self.nodeBudget, !mustStop() else { return stub(schema) }
        if schema.reference.present { return reference(schema.reference.value ?? nil, context: context, variant: variant) }
        if schema.constant.present, let constant = schema.constant.value { return leaf(constant, size: schema.constantBytes) }
        if let options = schema.options.value, !options.isEmpty {
            let chosen = variant % options.count
            return leaf(options[chosen], size: schema.optionBytes[chosen])
        }
        // allOf: every part at once; anyOf and oneOf: the first branch, with the keywords beside it.
        if let parts = schema.allOf.value, !parts.isEmpty { return merged(schema, dropping: "allOf", with: parts, context: context, variant: variant) }
        if let parts = schema.anyOf.value, let first = parts.first { return merged(schema, dropping: "anyOf", with: [first], context: context, variant: variant) }
        if let parts = schema.oneOf.value, let first = parts.first { return merged(schema, dropping: "oneOf", with: [first], context: context, variant: variant) }
        switch Self.type(of: schema) {
        case "object": return object(index, context: context)
        case "array": return array(schema, context: context)
        case "integer": return leaf(integer(schema, variant: variant))
        case "number": return leaf(number(schema, variant: variant))
        case "boolean": return leaf(.bool(variant % 2 == 0))
        case "null": return leaf(.null, size: 4)
        default: return text(string(schema, variant: variant))
        }
    }

    /// A string the sampler made: ASCII without characters to escape, so its size is its length and quotes.
    mutating func text(_ text: String) -> JSONValue {
        leaf(.string(text), size: text.utf8.count + 2)
    }

    /// A scalar leaf, its size measured.
    mutating func leaf(_ value: JSONValue) -> JSONValue {
        leaf(value, size: JSONPrefix.size(of: value))
    }

    private mutating func reference(_ target: Int?, context: Context, variant: Int) -> JSONValue {
        // A remote reference, or a pointer to nothing.
        guard let target else { return leaf(.null, size: 4) }
        let seen = context.refs.lazy.filter { $0 == target }.count
        if seen >= 2 { return stub(document.schemas[document.schema(of: target)]) }
        var next = context.deeper()
        next.refs.append(target)
        next.cycle = next.cycle || seen == 1
        return value(entry: target, context: next, variant: variant)
    }

    private mutating func merged(_ base: ToolSchema, dropping keyword: String, with parts: [Int], context: Context, variant: Int) -> JSONValue {
        let schema = merge(base, dropping: keyword, with: parts, context: context)
        return value(schema: document.add(schema), context: context.deeper(), variant: variant)
    }

    /// `base` without `keyword`, with the keywords of `parts` added: `properties` joined, `required`
    /// joined, any other keyword kept where `base` lacks it. A part that is a `$ref` is followed once
    /// (when its target is not on the path); a part met twice adds nothing the second time. The
    /// members merged spend the budget.
    private mutating func merge(_ base: ToolSchema, dropping keyword: String, with parts: [Int], context: Context) -> ToolSchema {
        var result = base
        switch keyword {
        case "allOf": result.allOf = ToolSchema.Keyword()
        case "anyOf": result.anyOf = ToolSchema.Keyword()
        default: result.oneOf = ToolSchema.Keyword()
        }
        var cost = base.mergeCost
        var merged: Set<Int> = []
        for part in parts {
            var entry = part
            let schema = document.schemas[document.schema(of: part)]
            if schema.reference.present, let target = schema.reference.value ?? nil, !context.refs.contains(target) { entry = target }
            guard merged.insert(entry).inserted else { continue }
            let resolved = document.schemas[document.schema(of: entry)]
            guard resolved.kind == .object else { continue }
            result.merge(resolved)
            cost += resolved.mergeCost
        }
        document.work += cost + parts.count
        // Every part looked at spends a node, whatever it adds: `true`, or a `$ref` to an entry merged
        // already, adds nothing, and without this a schema of many such parts reached through
        // `minItems` arrays was walked thousands of times for free (a 60 KB record took 9.7 s).
        budget -= cost + parts.count
        return result
    }

    private mutating func object(_ index: Int, context: Context) -> JSONValue {
        let lean = isLean(context)
        let schema = document.schemas[index]
        let plan: ToolSchema.ObjectPlan
        if let made = schema.plan {
            plan = made
        } else {
            plan = schema.makePlan()
            document.schemas[index].plan = plan
            document.work += plan.properties.count + plan.extraRequired.count + 1
        }
        bytes += 2
        var members: [JSONMember] = []
        func add(_ name: String, _ entry: Int, variant: Int) {
            let size = JSONPrefix.quotedSize(name)
            bytes += size + 1 + (members.isEmpty ? 0 : 1)
            // Long names spend the budget as long values do.
            if size >= Self.bytesPerNode { budget -= size / Self.bytesPerNode }
            document.work += 1
            members.append(JSONMember(name, value(entry: entry, context: context.deeper(), variant: variant)))
        }
        if lean {
            for position in plan.requiredPositions {
                if mustStop() { break }
                add(plan.properties[position].name, plan.properties[position].entry, variant: 0)
            }
        } else {
            for property in plan.properties {
                if mustStop() { break }
                add(property.name, property.entry, variant: 0)
            }
        }
        // Required names the properties do not describe take the additionalProperties schema.
        var extraSchema = SchemaDocument.anything
        if case .schema(let entry)? = schema.additional.value { extraSchema = entry }
        for name in plan.extraRequired {
            if mustStop() { break }
            add(name, extraSchema, variant: 0)
        }
        let closed: Bool
        if case .no? = schema.additional.value { closed = true } else { closed = false }
        if !closed, schema.minProperties.present, let minimum = schema.minProperties.value {
            var names = Set(members.map(\.key))
            var extra = 1
            while members.count < min(Int(clamping: minimum), Self.maxItems), budget > 0, !mustStop() {
                let name = "property_\(extra)"
                extra += 1
                if names.insert(name).inserted { add(name, extraSchema, variant: extra) }
            }
        }
        return .object(members)
    }

    private mutating func array(_ schema: ToolSchema, context: Context) -> JSONValue {
        let minimum = min(max(Int(clamping: schema.minItems.value ?? 0), 0), Self.maxItems)
        let maximum = max(Int(clamping: schema.maxItems.value ?? Int64(Self.maxItems)), 0)
        var count = min(isLean(context) ? minimum : max(minimum, 1), maximum)
        // prefixItems (2020-12), or items as an array (draft 4 to 2019-09): the schemas of the first items.
        var prefix: [Int] = schema.prefixItems.value ?? []
        if schema.prefixItems.value == nil, case .list(let list)? = schema.items.value { prefix = list }
        var rest = SchemaDocument.anything
        switch schema.items.value {
        case .schema(let entry)?: rest = entry
        case .bool(false)?:
            rest = SchemaDocument.nothing
            count = min(count, prefix.count)
        default: break
        }
        bytes += 2
        var elements: [JSONValue] = []
        for index in 0..<count {
            if budget <= 0, index >= minimum { break }
            if budget <= -Self.nodeBudget || mustStop() { break }
            if index > 0 { bytes += 1 }
            elements.append(value(entry: index < prefix.count ? prefix[index] : rest, context: context.deeper(), variant: index))
        }
        return .array(elements)
    }
}
