import JSON

/// One schema of a tool's document with its keywords read once: what the sampler needs, parsed
/// (numbers as numbers, sub-schemas as entries of the document, the byte sizes of `const` and
/// `enum` values), so that a visit costs the same whatever the schema holds beside them. A keyword
/// is the first member of its name, as a lookup by name finds it; `present` says the member is
/// there (whatever its value), which is what merging by `allOf` goes by.
struct ToolSchema {
    /// A keyword: whether the member is there, and its value when it has the expected form. Sub-schemas
    /// are entries of the document, read when the sampler reaches them.
    struct Keyword<Value> {
        var present = false
        var value: Value?

        /// Takes `other` unless this one is there: a merge keeps the base's keywords.
        mutating func fill(from other: Keyword<Value>) {
            if !present { self = other }
        }
    }

    enum Kind {
        /// `true`, or a value that is not an object: anything is valid.
        case anything
        /// `false`: nothing is valid.
        case nothing
        case object
    }

    /// `additionalProperties`: a schema, `false`, or anything else (which allows anything).
    enum Additional {
        case schema(Int)
        case no
        case other
    }

    /// `items`: a schema, a boolean, a list of schemas (drafts 4 to 2019-09), or something else.
    enum Items {
        case schema(Int)
        case bool(Bool)
        case list([Int])
        case other
    }

    /// `exclusiveMinimum`/`exclusiveMaximum`: draft 4's flag or later drafts' number.
    enum Exclusive {
        case flag(Bool)
        case bound(Double)
        case other
    }

    var kind: Kind = .object
    /// `$ref` (a string): the entry it names, or nil for a pointer that names none.
    var reference: Keyword<Int?> = Keyword()
    var constant: Keyword<JSONValue> = Keyword()
    var constantBytes = 0
    /// `enum` as an array, and the compact JSON size of each value.
    var options: Keyword<[JSONValue]> = Keyword()
    var optionBytes: [Int] = []
    var allOf: Keyword<[Int]> = Keyword()
    var anyOf: Keyword<[Int]> = Keyword()
    var oneOf: Keyword<[Int]> = Keyword()
    /// `type`: the name, or of a list the first that is not "null" ("null" when all are).
    var type: Keyword<String> = Keyword()
    /// Keywords that imply a type when `type` says none (their presence is what counts).
    var impliesObject = false
    var impliesArray = false
    var impliesString = false
    var impliesNumber = false
    var properties: Keyword<[(name: String, entry: Int)]> = Keyword()
    var required: Keyword<[String]> = Keyword()
    var additional: Keyword<Additional> = Keyword()
    var minProperties: Keyword<Int64> = Keyword()
    var prefixItems: Keyword<[Int]> = Keyword()
    var items: Keyword<Items> = Keyword()
    var minItems: Keyword<Int64> = Keyword()
    var maxItems: Keyword<Int64> = Keyword()
    var minimum: Keyword<Double> = Keyword()
    var maximum: Keyword<Double> = Keyword()
    var exclusiveMinimum: Keyword<Exclusive> = Keyword()
    var exclusiveMaximum: Keyword<Exclusive> = Keyword()
    var multipleOf: Keyword<Double> = Keyword()
    var minLength: Keyword<Int64> = Keyword()
    var maxLength: Keyword<Int64> = Keyword()
    var format: Keyword<String> = Keyword()
    /// What an object of this schema is made of, worked out at its first object visit.
    var plan: ObjectPlan?

    /// The properties without repeated names, which of them are required, and the required names
    /// that no property describes.
    struct ObjectPlan {
        var properties: [(name: String, entry: Int)]
        var requiredPositions: [Int]
        var extraRequired: [String]
    }

    /// Reads the schema of `entry`: one pass over its members.
    init(reading entry: Int, in document: inout SchemaDocument) {
        guard case .object(let members) = document.entries[entry].value else {
            kind = document.entries[entry].value == .bool(false) ? .nothing : .anything
            return
        }
        let children = document.children(of: entry)
        document.work += members.count
        var referenceSeen = false
        for (index, member) in members.enumerated() {
            // No keyword is longer than "additionalProperties": longer names are skipped unread. Of
            // a repeated name, the first member counts (each keyword keeps the first it reads).
            guard member.key.utf8.count <= 20 else { continue }
            if member.key == "$ref" {
                if referenceSeen { continue }
                referenceSeen = true
            }
            read(member.key, member.value, entry: children.lowerBound + index, in: &document)
        }
    }

    private mutating func read(_ key: String, _ value: JSONValue, entry: Int, in document: inout SchemaDocument) {
        switch key {
        case "$ref":
            guard let pointer = value.string else { return }
            reference = Keyword(present: true, value: document.resolve(pointer))
        case "const":
            guard !constant.present else { return }
            constant = Keyword(present: true, value: value)
            constantBytes = JSONPrefix.size(of: value)
        case "enum":
            guard !options.present else { return }
            options.present = true
            if case .array(let elements) = value {
                options.value = elements
                optionBytes = elements.map(JSONPrefix.size(of:))
            }
        case "allOf": Self.readList(value, entry: entry, into: &allOf, document: &document)
        case "anyOf": Self.readList(value, entry: entry, into: &anyOf, document: &document)
        case "oneOf": Self.readList(value, entry: entry, into: &oneOf, document: &document)
        case "type":
            guard !type.present else { return }
            type.present = true
            if let name = value.string {
                type.value = name
            } else if let names = value.array?.compactMap(\.string), !names.isEmpty {
                type.value = names.first { $0 != "null" } ?? "null"
            }
        case "properties":
            impliesObject = true
            guard !properties.present else { return }
            properties.present = true
            if case .object(let members) = value {
                let children = document.children(of: entry)
                properties.value = members.indices.map { (members[$0].key, children.lowerBound + $0) }
            }
        case "required":
            impliesObject = true
            guard !required.present else { return }
            required = Keyword(present: true, value: value.array.map { $0.compactMap(\.string) })
        case "additionalProperties":
            impliesObject = true
            guard !additional.present else { return }
            if value.isObject {
                additional = Keyword(present: true, value: .schema(entry))
            } else {
                additional = Keyword(present: true, value: value == .bool(false) ? .no : .other)
            }
        case "minProperties":
            impliesObject = true
            Self.readInteger(value, into: &minProperties)
        case "patternProperties": impliesObject = true
        case "prefixItems":
            impliesArray = true
            guard !prefixItems.present else { return }
            prefixItems.present = true
            if case .array = value { prefixItems.value = Array(document.children(of: entry)) }
        case "items":
            impliesArray = true
            guard !items.present else { return }
            switch value {
            case .object: items = Keyword(present: true, value: .schema(entry))
            case .bool(let flag): items = Keyword(present: true, value: .bool(flag))
            case .array: items = Keyword(present: true, value: .list(Array(document.children(of: entry))))
            default: items = Keyword(present: true, value: .other)
            }
        case "minItems":
            impliesArray = true
            Self.readInteger(value, into: &minItems)
        case "maxItems":
            impliesArray = true
            Self.readInteger(value, into: &maxItems)
        case "uniqueItems": impliesArray = true
        case "minLength":
            impliesString = true
            Self.readInteger(value, into: &minLength)
        case "maxLength":
            impliesString = true
            Self.readInteger(value, into: &maxLength)
        case "format":
            impliesString = true
            guard !format.present else { return }
            format = Keyword(present: true, value: value.string)
        case "pattern": impliesString = true
        case "minimum":
            impliesNumber = true
            Self.readNumber(value, into: &minimum)
        case "maximum":
            impliesNumber = true
            Self.readNumber(value, into: &maximum)
        case "exclusiveMinimum":
            impliesNumber = true
            Self.readExclusive(value, into: &exclusiveMinimum)
        case "exclusiveMaximum":
            impliesNumber = true
            Self.readExclusive(value, into: &exclusiveMaximum)
        case "multipleOf":
            impliesNumber = true
            Self.readNumber(value, into: &multipleOf)
        default: break
        }
    }

    private static func readList(_ value: JSONValue, entry: Int, into keyword: inout Keyword<[Int]>, document: inout SchemaDocument) {
        guard !keyword.present else { return }
        keyword.present = true
        if case .array = value { keyword.value = Array(document.children(of: entry)) }
    }

    private static func readInteger(_ value: JSONValue, into keyword: inout Keyword<Int64>) {
        guard !keyword.present else { return }
        keyword = Keyword(present: true, value: value.int64Value)
    }

    private static func readNumber(_ value: JSONValue, into keyword: inout Keyword<Double>) {
        guard !keyword.present else { return }
        keyword = Keyword(present: true, value: value.double)
    }

    private static func readExclusive(_ value: JSONValue, into keyword: inout Keyword<Exclusive>) {
        guard !keyword.present else { return }
        if case .bool(let flag) = value {
            keyword = Keyword(present: true, value: .flag(flag))
        } else {
            keyword = Keyword(present: true, value: value.double.map(Exclusive.bound) ?? .other)
        }
    }

    /// The number of members a merge reads from this schema.
    var mergeCost: Int { 1 + (properties.value?.count ?? 0) + (required.value?.count ?? 0) }

    /// `self` (the base, its combining keyword already dropped) with `part`'s keywords: `properties`
    /// and `required` joined, any other keyword taken where the base lacks it.
    mutating func merge(_ part: ToolSchema) {
        if properties.present, let extra = part.properties.value {
            if properties.value != nil { properties.value?.append(contentsOf: extra) }
        } else {
            properties.fill(from: part.properties)
        }
        if required.present, let extra = part.required.value {
            if required.value != nil { required.value?.append(contentsOf: extra) }
        } else {
            required.fill(from: part.required)
        }
        reference.fill(from: part.reference)
        if !constant.present {
            constant = part.constant
            constantBytes = part.constantBytes
        }
        if !options.present {
            options = part.options
            optionBytes = part.optionBytes
        }
        allOf.fill(from: part.allOf)
        anyOf.fill(from: part.anyOf)
        oneOf.fill(from: part.oneOf)
        type.fill(from: part.type)
        impliesObject = impliesObject || part.impliesObject
        impliesArray = impliesArray || part.impliesArray
        impliesString = impliesString || part.impliesString
        impliesNumber = impliesNumber || part.impliesNumber
        additional.fill(from: part.additional)
        minProperties.fill(from: part.minProperties)
        prefixItems.fill(from: part.prefixItems)
        items.fill(from: part.items)
        minItems.fill(from: part.minItems)
        maxItems.fill(from: part.maxItems)
        minimum.fill(from: part.minimum)
        maximum.fill(from: part.maximum)
        exclusiveMinimum.fill(from: part.exclusiveMinimum)
        exclusiveMaximum.fill(from: part.exclusiveMaximum)
        multipleOf.fill(from: part.multipleOf)
        minLength.fill(from: part.minLength)
        maxLength.fill(from: part.maxLength)
        format.fill(from: part.format)
        plan = nil
    }

    /// The object plan, made from the keywords: linear in `properties` and `required`.
    func makePlan() -> ObjectPlan {
        let requiredNames = required.value ?? []
        let all = self.properties.value ?? []
        var properties: [(name: String, entry: Int)] = []
        var requiredPositions: [Int] = []
        var extraRequired: [String] = []
        // Few names (most schemas): compared in place; more: through sets, linear in their number.
        if all.count <= 16 && requiredNames.count <= 16 {
            for property in all where !properties.contains(where: { $0.name == property.name }) {
                if requiredNames.contains(property.name) { requiredPositions.append(properties.count) }
                properties.append(property)
            }
            for name in requiredNames where !properties.contains(where: { $0.name == name }) && !extraRequired.contains(name) {
                extraRequired.append(name)
            }
        } else {
            let requiredSet = Set(requiredNames)
            var names: Set<String> = []
            for property in all where names.insert(property.name).inserted {
                if requiredSet.contains(property.name) { requiredPositions.append(properties.count) }
                properties.append(property)
            }
            for name in requiredNames where names.insert(name).inserted { extraRequired.append(name) }
        }
        return ObjectPlan(properties: properties, requiredPositions: requiredPositions, extraRequired: extraRequired)
    }
}
