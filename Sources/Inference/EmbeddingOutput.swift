import JSON

/// The response bodies of the embedding models ("Amazon Titan Embeddings G1 - Text" with its V2
/// tabs, "Cohere Embed models"). A vector is a function of the model and the text only, so the same
/// text gives the same vector in every record and job (and similar tests can compare vectors).
enum EmbeddingOutput {
    /// Titan G1: {embedding [1536], inputTextTokenCount}. Titan V2: {embedding [dimensions],
    /// inputTextTokenCount, embeddingsByType {binary?, float?}}: `dimensions` 1024 (default), 512 or
    /// 256; `normalize` (default true) makes a unit vector; `embeddingTypes` (default ["float"])
    /// chooses the members of `embeddingsByType`, binary being 0/1 a dimension (1 where the float is
    /// positive). `embedding` is always there, in floats.
    static func titan(_ input: JSONValue, text: String, model: String, inputTokens: Int64, version2: Bool) -> JSONValue {
        guard version2 else {
            let vector = self.vector(text: text, model: model, dimensions: 1536, normalize: false)
            return .fields(["embedding": floats(vector), "inputTextTokenCount": .integer(inputTokens)])
        }
        // Validation refused other sizes; the check keeps the allocation bounded all the same.
        let asked = Int(clamping: input["dimensions"]?.int64Value ?? 1024)
        let dimensions = [256, 512, 1024].contains(asked) ? asked : 1024
        let vector = self.vector(text: text, model: model, dimensions: dimensions, normalize: input["normalize"]?.bool ?? true)
        let types = (input["embeddingTypes"]?.array ?? [.string("float")]).compactMap(\.string)
        let embedding = floats(vector)
        var byType: [JSONMember] = []
        if types.contains("binary") { byType.append(JSONMember("binary", .array(vector.map { .integer($0 > 0 ? 1 : 0) }))) }
        if types.contains("float") { byType.append(JSONMember("float", embedding)) }
        return .fields(["embedding": embedding, "inputTextTokenCount": .integer(inputTokens), "embeddingsByType": .object(byType)])
    }

    /// Cohere Embed v4's `output_dimension` values ("Cohere Embed v4" page).
    static let cohereV4Dimensions = [256, 512, 1024, 1536]

    /// Cohere Embed: {embeddings [[floats]] a text, id, response_type "embeddings_floats", texts};
    /// with `embedding_types`, {embeddings {float?, int8?, uint8?, binary?, ubinary?}, id,
    /// response_type "embeddings_by_type", texts}. Embed v3 has 1024 dimensions; v4 1536, or its
    /// `output_dimension` (256, 512, 1024, 1536). `override` replaces every text's vector by its own.
    static func cohere(_ input: JSONValue, override: String?, model: String, generator: inout SeededGenerator) -> JSONValue {
        let texts = (input["texts"]?.array ?? []).compactMap(\.string)
        var dimensions = 1024
        if ModelFamily.isCohereEmbedV4(model) {
            // Validation refused other sizes; the check keeps the allocation bounded all the same.
            let asked = Int(clamping: input["output_dimension"]?.int64Value ?? 1536)
            dimensions = cohereV4Dimensions.contains(asked) ? asked : 1536
        }
        let vectors = texts.map { vector(text: override ?? $0, model: model, dimensions: dimensions, normalize: true) }
        let embeddings: JSONValue
        let responseType: String
        if let types = input["embedding_types"]?.array?.compactMap(\.string) {
            responseType = "embeddings_by_type"
            var byType: [JSONMember] = []
            for type in ["float", "int8", "uint8", "binary", "ubinary"] where types.contains(type) {
                byType.append(JSONMember(type, .array(vectors.map { quantized($0, as: type) })))
            }
            embeddings = .object(byType)
        } else {
            responseType = "embeddings_floats"
            embeddings = .array(vectors.map(floats))
        }
        return .fields([
            "embeddings": embeddings, "id": .string(TextGenerator.uuid(&generator)), "response_type": .string(responseType),
            "texts": .array(texts.map(JSONValue.string)),
        ])
    }

    /// The vector of `text` for `model`: components in -1 ..< 1 from a generator seeded by both,
    /// scaled to length 1 when `normalize`.
    static func vector(text: String, model: String, dimensions: Int, normalize: Bool) -> [Double] {
        var generator = SeededGenerator(seed: FNV1a.hash(model, text))
        var vector: [Double] = []
        vector.reserveCapacity(dimensions)
        var sum = 0.0
        for _ in 0..<dimensions {
            let component = generator.signedUnit()
            sum += component * component
            vector.append(component)
        }
        if normalize, sum > 0 {
            let scale = 1 / sum.squareRoot()
            for index in vector.indices { vector[index] *= scale }
        }
        return vector
    }

    /// Floats with eight decimals.
    static func floats(_ vector: [Double]) -> JSONValue {
        .array(vector.map { .number(DecimalText.fixed($0, digits: 8)) })
    }

    /// Cohere's compressed forms: int8 and uint8 scale the largest component to 127; binary and
    /// ubinary pack the signs (1 for positive) eight dimensions a byte, first dimension in the high
    /// bit, as a signed (byte - 128) or unsigned byte.
    static func quantized(_ vector: [Double], as type: String) -> JSONValue {
        switch type {
        case "int8", "uint8":
            let largest = vector.reduce(0) { max($0, abs($1)) }
            let offset: Int64 = type == "uint8" ? 128 : 0
            return .array(
                vector.map { component in
                    let scaled = largest > 0 ? (component / largest * 127).rounded() : 0
                    return .integer(Int64(min(max(scaled, -128), 127)) + offset)
                })
        case "binary", "ubinary":
            var bytes: [JSONValue] = []
            var index = 0
            while index + 8 <= vector.count {
                var byte: Int64 = 0
                for bit in 0..<8 where vector[index + bit] > 0 { byte |= 1 << (7 - bit) }
                bytes.append(.integer(type == "binary" ? byte - 128 : byte))
                index += 8
            }
            return .array(bytes)
        default:
            return floats(vector)
        }
    }
}
