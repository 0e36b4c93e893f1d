/// The one token rule of the mock. Real tokenizers differ by model and are not public for all of
/// them; a rule that a test can compute by hand is worth more here than a closer estimate.
///
/// - `tokens(text)` = ceil(UTF-8 bytes / 4): 0 for empty text, at least 1 otherwise.
/// - Input tokens of a record = tokens over the prompt text (`Inference.prompt(of:)`, pieces joined
///   by "\n") plus the compact JSON of the tool definitions, and at least 1.
/// - Output tokens = tokens of the generated text, or of the compact JSON of a tool call's input;
///   0 for embeddings.
enum Tokens {
    /// The most tokens an answer is generated to, whatever the record's max tokens says: the largest
    /// output any model on Bedrock documents (Claude's 128K, Anthropic's models overview). A record
    /// without a max tokens gets this much, as Converse's `maxTokens` defaults to the model's maximum.
    static let maxOutputTokens: Int64 = 128_000
    /// `maxOutputTokens` by the token rule: 4 bytes a token.
    static let maxOutputBytes = 4 * Int(maxOutputTokens)

    static func count(bytes: Int) -> Int64 {
        Int64((max(bytes, 0) + 3) / 4)
    }

    static func count(_ text: String) -> Int64 {
        count(bytes: text.utf8.count)
    }

    /// Input tokens of a prompt of `promptBytes` bytes with `toolBytes` bytes of tool definitions.
    static func input(promptBytes: Int, toolBytes: Int) -> Int64 {
        max(1, count(bytes: promptBytes + toolBytes))
    }

    /// The longest prefix of `text` that `limit` tokens hold (4 bytes a token), cut on a character
    /// boundary.
    static func truncate(_ text: String, toTokens limit: Int64) -> String {
        guard limit > 0 else { return "" }
        let maxBytes = limit >= Int64(Int.max / 8) ? Int.max : Int(limit) * 4
        guard text.utf8.count > maxBytes else { return text }
        var bytes = 0
        var end = text.startIndex
        for character in text {
            let size = character.utf8.count
            if bytes + size > maxBytes { break }
            bytes += size
            end = text.index(after: end)
        }
        return String(text[..<end])
    }
}
