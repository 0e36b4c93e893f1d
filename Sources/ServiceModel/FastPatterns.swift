/// Hand-written matchers for the model's patterns that every request or every fixture job checks,
/// so that the hot paths skip the general regular expression engine. Each answers exactly what
/// the model's pattern answers (tests compare them on many values); a value they reject is checked
/// again with the model's pattern, which words the violation.
public enum FastPatterns {
    /// `((arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:model-invocation-job/)?[a-z0-9]{12})` (ModelInvocationJobIdentifier).
    public static func isJobIdentifier(_ text: String) -> Bool {
        var utf8 = text.utf8[...]
        if utf8.count == 12 { return utf8.allSatisfy(isLowerAlphanumeric) }
        return matchesArnPrefix(&utf8) && utf8.count == 12 && utf8.allSatisfy(isLowerAlphanumeric)
    }

    /// `(arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:model-invocation-job/[a-z0-9]{12})` (ModelInvocationJobArn).
    public static func isJobArn(_ text: String) -> Bool {
        var utf8 = text.utf8[...]
        return matchesArnPrefix(&utf8) && utf8.count == 12 && utf8.allSatisfy(isLowerAlphanumeric)
    }

    /// `[a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9\+\-\.]){0,63}` (ModelInvocationJobName), for names of any length.
    /// The pattern's counted groups have thousands of states, and a backtracking engine takes
    /// exponential time on names of many dashes; this decides it in one pass (see `fitsCountedGroups`).
    public static func isJobName(_ text: String) -> Bool {
        fitsCountedGroups(text.utf8, prefixMost: 63, groupsMost: 63, groupEndsWithDash: true)
    }

    /// `[a-zA-Z0-9]{1,256}(-*[a-zA-Z0-9]){0,256}` (ModelInvocationIdempotencyToken), for tokens of any length.
    public static func isIdempotencyToken(_ text: String) -> Bool {
        fitsCountedGroups(text.utf8, prefixMost: 256, groupsMost: 256, groupEndsWithDash: false)
    }

    /// Whether `bytes` match `[a-zA-Z0-9]{1,P}(-*C){0,G}`, where C is a letter or digit, plus `+`,
    /// `-` and `.` when `groupEndsWithDash` (the job name's class; the token's is letters and digits).
    /// Each group ends in one C and every character that is not a dash must end a group, so the
    /// fewest groups the rest needs after the prefix is its count of non-dashes, plus one for a run
    /// of dashes at the very end (a group of dashes ending in a dash, where C may be one). A longer
    /// prefix only lowers that count, so the prefix takes as many leading letters and digits as it
    /// may (at most P), and the value matches when the rest then needs at most G groups.
    static func fitsCountedGroups(_ bytes: String.UTF8View, prefixMost: Int, groupsMost: Int, groupEndsWithDash: Bool) -> Bool {
        var prefix = 0
        var inPrefix = true
        var groups = 0
        var last: UInt8 = 0
        for byte in bytes {
            last = byte
            if isAlphanumeric(byte) {
                if inPrefix, prefix < prefixMost {
                    prefix += 1
                    continue
                }
                inPrefix = false
                groups += 1
            } else {
                inPrefix = false
                if byte == UInt8(ascii: "-") { continue }
                guard groupEndsWithDash, byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") else { return false }
                groups += 1
            }
            // A long value is refused as soon as it cannot fit: the loop never runs past the limit.
            if groups > groupsMost { return false }
        }
        guard prefix > 0 else { return false }
        if last == UInt8(ascii: "-") {
            guard groupEndsWithDash else { return false }
            groups += 1
        }
        return groups <= groupsMost
    }

    /// Consumes `arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:model-invocation-job/`.
    private static func matchesArnPrefix(_ utf8: inout Substring.UTF8View) -> Bool {
        guard consume(&utf8, "arn:aws") else { return false }
        if utf8.first == UInt8(ascii: "-") {
            utf8 = utf8.dropFirst()
            let partition = utf8.prefix { $0 != UInt8(ascii: ":") }
            guard !partition.isEmpty else { return false }
            utf8 = utf8.dropFirst(partition.count)
        }
        guard consume(&utf8, ":bedrock:") else { return false }
        let region = utf8.prefix { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        guard (1...20).contains(region.count) else { return false }
        utf8 = utf8.dropFirst(region.count)
        guard consume(&utf8, ":") else { return false }
        let account = utf8.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        guard account.count == 12 else { return false }
        utf8 = utf8.dropFirst(12)
        return consume(&utf8, ":model-invocation-job/")
    }

    private static func consume(_ utf8: inout Substring.UTF8View, _ literal: StaticString) -> Bool {
        let bytes = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        guard utf8.starts(with: bytes) else { return false }
        utf8 = utf8.dropFirst(bytes.count)
        return true
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLowerAlphanumeric(byte) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }
}
