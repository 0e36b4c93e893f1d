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

    /// `[a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9\+\-\.]){0,63}` (ModelInvocationJobName) for names of at most 63
    /// characters, the shape's length limit: within it the pattern's repetition counts cannot run
    /// out, so a name matches when it starts with a letter or digit and has only those, `+`, `-` and
    /// `.`. Nil for longer names (the caller asks the pattern).
    public static func isJobName(_ text: String) -> Bool? {
        let utf8 = text.utf8
        guard utf8.count <= 63 else { return nil }
        guard let first = utf8.first, isAlphanumeric(first) else { return false }
        return utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
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
