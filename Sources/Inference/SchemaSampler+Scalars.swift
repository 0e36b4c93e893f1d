import JSON

/// Strings, numbers and the smallest values of a type.
extension SchemaSampler {
    /// Bounds beyond this magnitude are clamped, so that arithmetic on them stays exact and finite.
    static let numberLimit = 1e15

    /// The type a schema asks for: its `type` (of a list, the first that is not "null"), or the one
    /// its keywords imply, or a string.
    static func type(of schema: ToolSchema) -> String {
        if let name = schema.type.value { return name }
        if schema.impliesObject { return "object" }
        if schema.impliesArray { return "array" }
        if schema.impliesString { return "string" }
        if schema.impliesNumber { return "number" }
        return "string"
    }

    /// The smallest value of the schema's type: where a full value would recurse without end.
    mutating func stub(_ schema: ToolSchema) -> JSONValue {
        guard schema.kind == .object else { return leaf(.null, size: 4) }
        if schema.constant.present, let constant = schema.constant.value { return leaf(constant, size: schema.constantBytes) }
        if let first = schema.options.value?.first { return leaf(first, size: schema.optionBytes[0]) }
        switch Self.type(of: schema) {
        case "object": return leaf(.object([]), size: 2)
        case "array": return leaf(.array([]), size: 2)
        case "integer", "number":
            let range = Self.range(of: schema)
            return leaf(.integer(Int64(range.lower.map { max($0, 0) }?.rounded(.up) ?? 0)))
        case "boolean": return leaf(.bool(false), size: 5)
        case "null": return leaf(.null, size: 4)
        default: return leaf(.string(""), size: 2)
        }
    }

    /// The numeric bounds of a schema, with both forms of exclusivity: draft 4's boolean beside
    /// `minimum`/`maximum`, and the number of draft 6 and later.
    struct Range {
        var lower: Double?
        var lowerExclusive = false
        var upper: Double?
        var upperExclusive = false

        func holds(_ value: Double) -> Bool {
            if let lower, lowerExclusive ? value <= lower : value < lower { return false }
            if let upper, upperExclusive ? value >= upper : value > upper { return false }
            return true
        }
    }

    static func range(of schema: ToolSchema) -> Range {
        let clamp = { (value: Double) in min(max(value, -numberLimit), numberLimit) }
        var range = Range(lower: schema.minimum.value.map(clamp), upper: schema.maximum.value.map(clamp))
        switch schema.exclusiveMinimum.value {
        case .flag(true)?: range.lowerExclusive = range.lower != nil
        case .bound(let value)?:
            let bound = clamp(value)
            if bound >= (range.lower ?? -.infinity) {
                range.lower = bound
                range.lowerExclusive = true
            }
        default: break
        }
        switch schema.exclusiveMaximum.value {
        case .flag(true)?: range.upperExclusive = range.upper != nil
        case .bound(let value)?:
            let bound = clamp(value)
            if bound <= (range.upper ?? .infinity) {
                range.upper = bound
                range.upperExclusive = true
            }
        default: break
        }
        return range
    }

    mutating func integer(_ schema: ToolSchema, variant: Int) -> JSONValue {
        let range = Self.range(of: schema)
        let low = range.lower.map { range.lowerExclusive ? ($0 + 1).rounded(.down) : $0.rounded(.up) }
        let high = range.upper.map { range.upperExclusive ? ($0 - 1).rounded(.up) : $0.rounded(.down) }
        var value: Double
        switch (low, high) {
        case (let low?, let high?): value = low > high ? low : low + Double(generator.below(Int(min(high - low, 1000)) + 1))
        case (let low?, nil): value = low + Double(generator.below(10) + variant)
        case (nil, let high?): value = high - Double(generator.below(10) + variant)
        case (nil, nil): value = Double(1 + generator.below(100) + variant)
        }
        if let step = schema.multipleOf.value, step > 0 {
            let up = (value / step).rounded(.up) * step
            value = (high.map { up > $0 } ?? false) ? (value / step).rounded(.down) * step : up
        }
        let clamped = min(max(value.rounded(), -Self.numberLimit), Self.numberLimit)
        return .integer(Int64(clamped.isFinite ? clamped : 0))
    }

    mutating func number(_ schema: ToolSchema, variant: Int) -> JSONValue {
        let range = Self.range(of: schema)
        let unit = Double(generator.below(1000)) / 1000
        var value: Double
        switch (range.lower, range.upper) {
        case (let low?, let high?): value = low + (high - low) * (0.25 + 0.5 * unit)
        case (let low?, nil): value = low + 1 + unit * 100
        case (nil, let high?): value = high - 1 - unit * 100
        case (nil, nil): value = (unit * 10000).rounded() / 100 + Double(variant)
        }
        if let step = schema.multipleOf.value, step > 0 {
            let up = (value / step).rounded(.up) * step
            value = range.holds(up) ? up : (value / step).rounded(.down) * step
        } else {
            // Two decimals read better; kept where the bounds allow.
            let rounded = (value * 100).rounded() / 100
            if range.holds(rounded) { value = rounded }
        }
        guard value.isFinite else { return .integer(0) }
        if abs(value) < 1e9 {
            let short = DecimalText.short(value, digits: 6)
            if let parsed = Double(short), range.holds(parsed) { return .number(short) }
        }
        return .number("\(value)")
    }

    mutating func string(_ schema: ToolSchema, variant: Int) -> String {
        var text = schema.format.value.flatMap { formatted($0, variant: variant) } ?? TextGenerator.phrase(&generator)
        let minimum = min(max(Int(clamping: schema.minLength.value ?? 0), 0), Self.maxStringLength)
        while text.utf8.count < minimum {
            text.append(" ")
            text.append(TextGenerator.words[generator.below(TextGenerator.words.count)])
        }
        if let maximum = schema.maxLength.value, text.utf8.count > maximum {
            // The text is ASCII: a byte is a character.
            text = String(decoding: text.utf8.prefix(Int(clamping: max(maximum, 0))), as: UTF8.self)
        }
        // Long strings spend the budget too (a node a 32 bytes, in `leaf`), so that many of them cannot add up.
        return text
    }

    /// An example of a `format` (JSON Schema's formats), or nil for one we do not know.
    mutating func formatted(_ format: String, variant: Int) -> String? {
        let day = 1 + generator.below(28)
        let twoDigits = day < 10 ? "0\(day)" : "\(day)"
        switch format {
        case "date": return "2024-05-\(twoDigits)"
        case "date-time": return "2024-05-\(twoDigits)T09:30:00Z"
        case "time": return "09:30:00Z"
        case "email", "idn-email": return "user\(variant + 1)@example.com"
        case "uri", "iri", "url", "uri-reference", "iri-reference": return "https://example.com/items/\(day)"
        case "uuid": return TextGenerator.uuid(&generator)
        case "hostname", "idn-hostname": return "host\(day).example.com"
        case "ipv4": return "192.0.2.\(day)"
        case "ipv6": return "2001:db8::\(day)"
        case "duration": return "P\(day)D"
        case "json-pointer": return "/items/\(variant)"
        default: return nil
        }
    }
}
