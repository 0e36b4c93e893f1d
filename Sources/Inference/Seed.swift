import JSON

/// 64-bit FNV-1a: the seed of a record's answer is the hash of its model id, record id and input,
/// so the same record gets the same bytes in every run, and any change to the input changes them.
public struct FNV1a: JSONSink {
    private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    mutating func take(byte: UInt8) {
        value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }

    mutating func take(_ text: String) {
        var hash = value
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        value = hash
    }

    /// The seed of a record: FNV-1a of the model id, a 0xFF, the record id, a 0xFF and the compact
    /// JSON of the input (0xFF never occurs in UTF-8, so the parts cannot run into each other).
    static func seed(modelId: String, recordId: String, input: JSONValue) -> UInt64 {
        var hash = FNV1a()
        hash.take(modelId)
        hash.take(byte: 0xFF)
        hash.take(recordId)
        hash.take(byte: 0xFF)
        JSONWalk.walk(input, into: &hash)
        return hash.value
    }

    public static func hash(_ parts: String...) -> UInt64 {
        var hash = FNV1a()
        for part in parts {
            hash.take(part)
            hash.take(byte: 0xFF)
        }
        return hash.value
    }
}

/// SplitMix64: a small generator whose sequence is fixed by its seed (the same as Fixtures', kept
/// here so that this module needs only `JSON`).
public struct SeededGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0 ..< bound (bound > 0).
    mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(max(bound, 1)))
    }

    /// A number in -1 ..< 1.
    mutating func signedUnit() -> Double {
        Double(Int64(bitPattern: next()) >> 11) / Double(1 << 52)
    }
}
