/// Durations written for people: `90s`, `1.5h`, `250ms`, `1h30m`, `2d`.
public enum DurationText {
    /// Milliseconds of a duration of one or more `<number><unit>` parts (units `ms`, `s`, `m`, `h`, `d`;
    /// numbers may have a fraction), or nil for anything else, including a negative duration.
    public static func milliseconds(_ text: String) -> Int64? {
        var total = 0.0
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isASCII && $0.isLetter }
            rest = rest.dropFirst(unit.count)
            switch unit {
            case "ms": total += value
            case "s": total += value * 1000
            case "m": total += value * 60_000
            case "h": total += value * 3_600_000
            case "d": total += value * 86_400_000
            default: return nil
            }
        }
        guard total.isFinite, total < 1e15 else { return nil }
        return Int64(total.rounded())
    }

    /// The shortest exact text for a number of milliseconds: `90m`, `1500ms`, `0s`.
    public static func text(milliseconds: Int64) -> String {
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000)] where milliseconds % size == 0 {
            return "\(milliseconds / size)\(unit)"
        }
        return "\(milliseconds)ms"
    }
}
