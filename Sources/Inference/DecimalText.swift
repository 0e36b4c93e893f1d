/// Decimal text of doubles without Foundation: integer arithmetic on the scaled value, so the same
/// double gives the same digits on every platform.
enum DecimalText {
    private static let powersOfTen: [Int64] = (0...15).map { power in (0..<power).reduce(1) { result, _ in result * 10 } }

    /// `value` with exactly `digits` decimals (0 to 8; |value| is clamped below 9e9): "-0.01234567".
    /// Written digit by digit into a small buffer: embeddings print a thousand of these a record.
    static func fixed(_ value: Double, digits: Int = 8) -> String {
        let digits = min(max(digits, 0), 8)
        let scale = powersOfTen[digits]
        let clamped = value.isFinite ? min(max(value, -9e9), 9e9) : 0
        let scaled = Int64((clamped * Double(scale)).rounded())
        var magnitude = scaled.magnitude
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { buffer in
            var index = buffer.count
            func put(_ byte: UInt8) {
                index -= 1
                buffer[index] = byte
            }
            for _ in 0..<digits {
                put(UInt8(ascii: "0") + UInt8(magnitude % 10))
                magnitude /= 10
            }
            if digits > 0 { put(UInt8(ascii: ".")) }
            repeat {
                put(UInt8(ascii: "0") + UInt8(magnitude % 10))
                magnitude /= 10
            } while magnitude > 0
            if scaled < 0 { put(UInt8(ascii: "-")) }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[index...]), as: UTF8.self)
        }
    }

    /// `value` with up to `digits` decimals, trailing zeros dropped; an integer without a point.
    static func short(_ value: Double, digits: Int = 6) -> String {
        var text = fixed(value, digits: digits)
        guard text.contains(".") else { return text }
        while text.last == "0" { text.removeLast() }
        if text.last == "." { text.removeLast() }
        return text == "-0" ? "0" : text
    }
}
