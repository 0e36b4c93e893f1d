/// Decimal text of doubles without Foundation: integer arithmetic on the scaled value, so the same
/// double gives the same digits on every platform.
enum DecimalText {
    /// `value` with exactly `digits` decimals (|value| < 9e9; larger values are clamped): "-0.01234567".
    static func fixed(_ value: Double, digits: Int = 8) -> String {
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        let clamped = value.isFinite ? min(max(value, -9e9), 9e9) : 0
        let scaled = Int64((clamped * Double(scale)).rounded())
        guard scaled != 0 else { return "0." + String(repeating: "0", count: digits) }
        let magnitude = scaled.magnitude
        let fraction = String(magnitude % UInt64(scale))
        let padding = String(repeating: "0", count: digits - fraction.count)
        return (scaled < 0 ? "-" : "") + String(magnitude / UInt64(scale)) + "." + padding + fraction
    }

    /// `value` with up to `digits` decimals, trailing zeros dropped; an integer without a point.
    static func short(_ value: Double, digits: Int = 6) -> String {
        var text = fixed(value, digits: digits)
        while text.last == "0" { text.removeLast() }
        if text.last == "." { text.removeLast() }
        return text == "-0" ? "0" : text
    }
}
