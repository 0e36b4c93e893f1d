/// The most bytes a record's answer can take in its output line: the compact JSON of its
/// `modelOutput`, or of its `error` object, is at most `perInputByte` × the bytes of the record's
/// input line + `constant`. It holds for every answer the mock generates and every refusal; an
/// override from a responses file adds its own text or value (the test's, not the record's).
/// docs/model-outputs.md, "Output bounds", derives each number.
public struct OutputBound: Sendable, Equatable {
    /// What a byte of the input can become: the answer echoes some of the input once (a tool's
    /// name, Cohere's `texts`, the values an error message quotes), and a string's escapes can
    /// triple it (`\b` in the input is `\u0008` in the output).
    public var perInputByte: Int
    /// The rest: generated text, a tool call up to `Inference.maxOutputTokens`, vectors, ids,
    /// counts and the model id.
    public var constant: Int

    public init(perInputByte: Int, constant: Int) {
        self.perInputByte = perInputByte
        self.constant = constant
    }

    /// `perInputByte` × `recordBytes` + `constant`, saturating (never traps).
    public func bytes(forRecordBytes recordBytes: Int) -> Int {
        let (echo, overflow) = perInputByte.multipliedReportingOverflow(by: max(recordBytes, 0))
        if overflow { return .max }
        let (total, overflowed) = echo.addingReportingOverflow(constant)
        return overflowed ? .max : total
    }
}

extension Inference {
    /// The most tokens an answer is generated to (a tool call is cut there, with the family's
    /// max-tokens stop reason), whatever the record's max tokens: Claude's largest documented output.
    public static let maxOutputTokens = Tokens.maxOutputTokens

    /// The longest model id the bound of every family (`outputBound`) allows for: the service
    /// model's limit on `modelId`.
    public static let maxModelIdBytes = 2048

    /// The bound of the answers of the jobs of `modelId` and `invocationType`.
    public static func outputBound(modelId: String, invocationType: InvocationType) -> OutputBound {
        let family = ModelFamily.of(modelId: modelId)
        return OutputBound(perInputByte: 3, constant: OutputBytes.constant(family: family, invocationType: invocationType) + modelId.utf8.count)
    }

    /// The bound of every family, for model ids of up to `maxModelIdBytes`: the largest is Cohere
    /// Embed's (96 texts of 1,536 dimensions in five types).
    public static let outputBound = OutputBound(
        perInputByte: 3, constant: (ModelFamily.allCases.map { OutputBytes.constant(family: $0, invocationType: .invokeModel) }.max() ?? 0) + maxModelIdBytes)

    /// `outputBound.bytes(forRecordBytes:)`: the most bytes of output a record of `recordBytes`
    /// bytes can give, whatever the model (with an id of up to `maxModelIdBytes`).
    public static func maxOutputBytes(forRecordBytes recordBytes: Int) -> Int {
        outputBound.bytes(forRecordBytes: recordBytes)
    }
}

/// The constants of the bounds, by what each answer holds.
enum OutputBytes {
    /// The members every answer has around its content: ids, stop reasons, the usage block's
    /// counts (20 digits each at most), the shape's names; generous.
    static let frame = 4096
    /// The generated text: four sentences of fifteen words of at most eleven letters, a space or
    /// a full stop after each.
    static let text = 4 * 15 * 12
    /// A tool call's input as a value (Claude, Nova, Converse): 4 bytes a token.
    static let toolValue = Tokens.maxOutputBytes
    /// A tool call's arguments as a JSON string (OpenAI, Mistral): the text within the limit, its
    /// quotes and backslashes escaped once more.
    static let toolText = 2 * Tokens.maxOutputBytes + 2
    /// A float with eight decimals in -1 ... 1 and its comma ("-0.12345678,").
    static let float = 12
    /// Titan Embeddings G1: 1,536 floats.
    static let titanV1 = 1536 * float + 64
    /// Titan V2: `embedding` and `embeddingsByType.float` (1,024 floats each), `binary` (0 or 1 each).
    static let titanV2 = 2 * (1024 * float + 64) + 1024 * 2 + 64
    /// Cohere Embed: 96 texts, each of 1,536 dimensions as float, int8 ("-128,"), uint8 ("255,"),
    /// and binary and ubinary (a byte a eight dimensions).
    static let cohere = 96 * (1536 * (float + 5 + 4) + 192 * (5 + 4) + 16) + 256
    /// An error: `ValidationProblems.maxListed` violations of at most 128 bytes besides the values
    /// they quote, and the message's own words.
    static let error = ValidationProblems.maxListed * 128 + 512

    static func constant(family: ModelFamily, invocationType: InvocationType) -> Int {
        let content: Int
        if invocationType == .converse {
            content = family == .amazonTitanEmbedV1 || family == .amazonTitanEmbedV2 || family == .cohereEmbed ? 0 : text + toolValue
        } else {
            switch family {
            case .anthropicClaude, .amazonNova: content = text + toolValue
            // Mistral's text models answer a record with `messages` in the chat shape.
            case .openAIChat, .mistralChat, .mistralText: content = text + toolText
            case .amazonTitanText, .metaLlama, .unknown: content = text
            case .amazonTitanEmbedV1: content = titanV1
            case .amazonTitanEmbedV2: content = titanV2
            case .cohereEmbed: content = cohere
            }
        }
        return frame + max(content, error)
    }
}
