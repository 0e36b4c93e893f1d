import JSON

/// Receives the compact JSON text of a value piece by piece, without the text being built.
protocol JSONSink {
    mutating func take(byte: UInt8)
    mutating func take(_ text: String)
    /// The content of a string or a member name, between its quotes.
    mutating func take(quoted text: String)
}

extension JSONSink {
    mutating func take(quoted text: String) { take(text) }
}

/// Walks a value as its compact JSON text (strings unescaped), depth-bounded: input can nest
/// deeper than any real request, and a value deeper than `maxDepth` counts as `null`.
enum JSONWalk {
    static let maxDepth = 64

    static func walk<Sink: JSONSink>(_ value: JSONValue, into sink: inout Sink, depth: Int = 0) {
        guard depth <= maxDepth else {
            sink.take("null")
            return
        }
        switch value {
        case .null: sink.take("null")
        case .bool(let flag): sink.take(flag ? "true" : "false")
        case .number(let literal): sink.take(literal)
        case .string(let text):
            sink.take(byte: UInt8(ascii: "\""))
            sink.take(quoted: text)
            sink.take(byte: UInt8(ascii: "\""))
        case .array(let elements):
            sink.take(byte: UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { sink.take(byte: UInt8(ascii: ",")) }
                walk(element, into: &sink, depth: depth + 1)
            }
            sink.take(byte: UInt8(ascii: "]"))
        case .object(let members):
            sink.take(byte: UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { sink.take(byte: UInt8(ascii: ",")) }
                sink.take(byte: UInt8(ascii: "\""))
                sink.take(quoted: member.key)
                sink.take("\":")
                walk(member.value, into: &sink, depth: depth + 1)
            }
            sink.take(byte: UInt8(ascii: "}"))
        }
    }

    /// The compact JSON text of `value`, escaped as JSON requires.
    static func text(_ value: JSONValue) -> String {
        var writer = TextSink()
        walk(value, into: &writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// The number of UTF-8 bytes of the compact JSON text of `value` (escapes not counted).
    static func byteCount(_ value: JSONValue) -> Int {
        var counter = ByteCounter()
        walk(value, into: &counter)
        return counter.count
    }
}

/// Counts the bytes of the text.
struct ByteCounter: JSONSink {
    var count = 0
    mutating func take(byte: UInt8) { count += 1 }
    mutating func take(_ text: String) { count += text.utf8.count }
}

/// Collects the text, escaping strings: the compact JSON of a value (tool call arguments).
struct TextSink: JSONSink {
    var bytes: [UInt8] = []
    mutating func take(byte: UInt8) { bytes.append(byte) }
    mutating func take(_ text: String) { bytes.append(contentsOf: text.utf8) }

    mutating func take(quoted text: String) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(byte)
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                bytes.append(TextGenerator.hexDigits[Int(byte >> 4)])
                bytes.append(TextGenerator.hexDigits[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
    }
}
