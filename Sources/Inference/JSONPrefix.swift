import JSON

/// Sizes and prefixes of values as their compact JSON text, escaped as JSONWriter writes it: what a
/// tool call's input takes in the output, and what is left of it when generation stops at the
/// record's max tokens.
enum JSONPrefix {
    /// The bytes of the compact JSON text of `value` (every level).
    static func size(of value: JSONValue) -> Int {
        switch value {
        case .null: return 4
        case .bool(let flag): return flag ? 4 : 5
        case .number(let literal): return literal.utf8.count
        case .string(let text): return quotedSize(text)
        case .array(let elements): return elements.reduce(1 + max(elements.count, 1)) { $0 + size(of: $1) }
        case .object(let members): return members.reduce(1 + max(members.count, 1)) { $0 + quotedSize($1.key) + 1 + size(of: $1.value) }
        }
    }

    /// The bytes of `text` as a JSON string, quotes included.
    static func quotedSize(_ text: String) -> Int {
        var size = 2
        for byte in text.utf8 { size += escapedSize(byte) }
        return size
    }

    private static func escapedSize(_ byte: UInt8) -> Int {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x0A, 0x0D, 0x09: return 2
        case 0..<0x20: return 6
        default: return 1
        }
    }

    /// The longest prefix of `value` whose compact JSON takes at most `limit` bytes, closed so that
    /// it is a value again: the members and elements that fit whole, then as much of the next one as
    /// fits (a string cut on a character, a container with what fits of it). `complete` is false
    /// when anything was left out. When not even the first byte of its kind fits, the empty value
    /// of its kind ({}, [], "") or null.
    static func cut(_ value: JSONValue, toBytes limit: Int) -> (value: JSONValue, complete: Bool) {
        var remaining = max(limit, 0)
        if let (prefix, complete) = self.prefix(value, remaining: &remaining) { return (prefix, complete) }
        switch value {
        case .object: return (.object([]), false)
        case .array: return (.array([]), false)
        case .string: return (.string(""), false)
        default: return (.null, false)
        }
    }

    /// The prefix of `value` within `remaining` bytes (which it spends), or nil when not even its
    /// opening fits.
    private static func prefix(_ value: JSONValue, remaining: inout Int) -> (JSONValue, Bool)? {
        switch value {
        case .null, .bool, .number:
            let size = size(of: value)
            guard size <= remaining else { return nil }
            remaining -= size
            return (value, true)
        case .string(let text):
            guard remaining >= 2 else { return nil }
            let size = quotedSize(text)
            if size <= remaining {
                remaining -= size
                return (value, true)
            }
            remaining -= 2
            return (.string(cut(text, toBytes: &remaining)), false)
        case .array(let elements):
            guard remaining >= 2 else { return nil }
            remaining -= 2
            var kept: [JSONValue] = []
            for element in elements {
                let comma = kept.isEmpty ? 0 : 1
                guard remaining >= comma else { return (.array(kept), false) }
                remaining -= comma
                guard let (part, complete) = prefix(element, remaining: &remaining) else {
                    remaining += comma
                    return (.array(kept), false)
                }
                kept.append(part)
                if !complete { return (.array(kept), false) }
            }
            return (.array(kept), true)
        case .object(let members):
            guard remaining >= 2 else { return nil }
            remaining -= 2
            var kept: [JSONMember] = []
            for member in members {
                let head = (kept.isEmpty ? 0 : 1) + quotedSize(member.key) + 1
                guard remaining >= head else { return (.object(kept), false) }
                remaining -= head
                guard let (part, complete) = prefix(member.value, remaining: &remaining) else {
                    remaining += head
                    return (.object(kept), false)
                }
                kept.append(JSONMember(member.key, part))
                if !complete { return (.object(kept), false) }
            }
            return (.object(kept), true)
        }
    }

    /// The longest prefix of `text` whose escaped bytes fit in `remaining` (spent), on a character.
    private static func cut(_ text: String, toBytes remaining: inout Int) -> String {
        var end = text.startIndex
        for character in text {
            var size = 0
            for byte in character.utf8 { size += escapedSize(byte) }
            guard size <= remaining else { break }
            remaining -= size
            end = text.index(after: end)
        }
        return String(text[..<end])
    }
}
