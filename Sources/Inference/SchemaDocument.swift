import JSON

/// A tool's JSON Schema document, read as the sampler reaches it and never twice: each JSON value
/// met gets an entry, the entries of its members are made at the first need, a table of its member
/// names at the first pointer through it, and its reading as a schema (`ToolSchema`) once. Local
/// pointers are resolved once each. So the cost of a document is linear in its bytes, whatever a
/// schema repeats, nests or points at; the sampler's own work is bounded by its node budget.
struct SchemaDocument {
    struct Entry {
        var value: JSONValue
        /// The first of the entries of the members' values (an object) or elements (an array),
        /// which are consecutive; nil until they are made.
        var firstChild: Int?
        /// Member name → position among the members (the first of a repeated name), for pointers.
        var positions: [String: Int]?
        /// The entry read as a schema: an index into `schemas`.
        var schema: Int?
    }

    /// The document's root ("#"), and two schemas of our own: `true` and `false`.
    static let root = 0
    static let anything = 1
    static let nothing = 2

    private(set) var entries: [Entry]
    /// The schemas read from entries, and those the sampler merged (`allOf`, `anyOf`, `oneOf`).
    var schemas: [ToolSchema] = []
    /// Every local pointer resolved so far: the entry it names, or nil when it names none.
    private var pointers: [String: Int?] = [:]
    /// Units of work: entries made, members read, pointer bytes and segments read, members merged.
    var work = 0

    init(root: JSONValue) {
        entries = [Entry(value: root), Entry(value: .bool(true)), Entry(value: .bool(false))]
    }

    /// The entries of the members (or elements) of `entry`, in order.
    mutating func children(of entry: Int) -> Range<Int> {
        let count: Int
        switch entries[entry].value {
        case .object(let members): count = members.count
        case .array(let elements): count = elements.count
        default: return 0..<0
        }
        if let first = entries[entry].firstChild { return first..<first + count }
        let first = entries.count
        switch entries[entry].value {
        case .object(let members): for member in members { entries.append(Entry(value: member.value)) }
        case .array(let elements): for element in elements { entries.append(Entry(value: element)) }
        default: break
        }
        entries[entry].firstChild = first
        work += count + 1
        return first..<first + count
    }

    /// The schema of `entry`, read once.
    mutating func schema(of entry: Int) -> Int {
        if let schema = entries[entry].schema { return schema }
        let schema = ToolSchema(reading: entry, in: &self)
        schemas.append(schema)
        entries[entry].schema = schemas.count - 1
        return schemas.count - 1
    }

    /// Adds a schema that is not an entry's (a merge), answering its index.
    mutating func add(_ schema: ToolSchema) -> Int {
        schemas.append(schema)
        return schemas.count - 1
    }

    /// The entry a local JSON pointer ("#", "#/$defs/Name", "#/properties/a/items") names, or nil:
    /// remote references, and paths that lead nowhere. Each pointer is read once a document.
    mutating func resolve(_ pointer: String) -> Int? {
        if let known = pointers[pointer] { return known }
        work += pointer.utf8.count + 1
        var current: Int? = Self.root
        if !pointer.hasPrefix("#") { current = nil }
        for raw in pointer.utf8.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            guard let at = current else { break }
            let segment = Self.unescape(raw)
            switch entries[at].value {
            case .array(let elements):
                let children = children(of: at)
                current = Int(segment).flatMap { elements.indices.contains($0) ? children.lowerBound + $0 : nil }
            case .object:
                current = position(of: segment, in: at).map { children(of: at).lowerBound + $0 }
            default:
                current = nil
            }
        }
        pointers[pointer] = current
        return current
    }

    /// Where the member `name` of the object `entry` is (the first of that name), by a table made
    /// at the first look.
    private mutating func position(of name: String, in entry: Int) -> Int? {
        if let positions = entries[entry].positions { return positions[name] }
        guard case .object(let members) = entries[entry].value else { return nil }
        var positions: [String: Int] = [:]
        positions.reserveCapacity(members.count)
        for (index, member) in members.enumerated() where positions[member.key] == nil { positions[member.key] = index }
        work += members.count + 1
        entries[entry].positions = positions
        return positions[name]
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
}
