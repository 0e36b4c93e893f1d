/// Generated text and identifiers, all drawn from the record's seeded generator: a few plausible
/// sentences of common words (ASCII, so a byte cut is a character cut), and ids in the alphabets
/// the real services use.
enum TextGenerator {
    static let words: [String] = [
        "the", "model", "answer", "data", "result", "value", "report", "summary", "request", "record",
        "based", "on", "provided", "input", "this", "is", "a", "clear", "short", "response", "that",
        "covers", "main", "points", "of", "your", "question", "with", "relevant", "details", "and",
        "context", "for", "each", "item", "in", "list", "example", "shows", "how", "process", "works",
        "key", "findings", "are", "consistent", "expected", "output", "format", "following", "steps",
        "can", "help", "you", "review", "information", "further", "analysis", "may", "be", "useful",
        "overall", "text", "describes",
    ]

    /// Two to four sentences of six to fifteen words: 150 to 450 bytes, 40 to 110 tokens.
    static func sentences(_ generator: inout SeededGenerator) -> String {
        var text = ""
        text.reserveCapacity(480)
        let count = 2 + generator.below(3)
        for sentence in 0..<count {
            if sentence > 0 { text.append(" ") }
            let length = 6 + generator.below(10)
            for position in 0..<length {
                let word = words[generator.below(words.count)]
                if position == 0 {
                    text.append(word.prefix(1).uppercased())
                    text.append(contentsOf: word.dropFirst())
                } else {
                    text.append(" ")
                    text.append(word)
                }
            }
            text.append(".")
        }
        return text
    }

    /// One to three words, for a string a schema asks for.
    static func phrase(_ generator: inout SeededGenerator) -> String {
        var text = words[generator.below(words.count)]
        for _ in 0..<generator.below(3) {
            text.append(" ")
            text.append(words[generator.below(words.count)])
        }
        return text
    }

    static let base62 = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
    static let base64URL = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    static let hexDigits = Array("0123456789abcdef".utf8)

    /// `count` characters of `alphabet`.
    static func characters(_ count: Int, of alphabet: [UInt8], _ generator: inout SeededGenerator) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        for _ in 0..<count { bytes.append(alphabet[generator.below(alphabet.count)]) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Anthropic's message and tool-use ids: "msg_bdrk_" or "toolu_bdrk_", then "01" and 22 base-62
    /// characters (24 in all), as Claude on Bedrock writes them.
    static func anthropicId(prefix: String, _ generator: inout SeededGenerator) -> String {
        prefix + "01" + characters(22, of: base62, &generator)
    }

    /// A version-4 UUID in lower-case hex.
    static func uuid(_ generator: inout SeededGenerator) -> String {
        var hex = Array(characters(32, of: hexDigits, &generator).utf8)
        hex[12] = UInt8(ascii: "4")
        hex[16] = hexDigits[8 + generator.below(4)]
        let text = String(decoding: hex, as: UTF8.self)
        let parts = [text.prefix(8), text.dropFirst(8).prefix(4), text.dropFirst(12).prefix(4), text.dropFirst(16).prefix(4), text.dropFirst(20)]
        return parts.joined(separator: "-")
    }
}
