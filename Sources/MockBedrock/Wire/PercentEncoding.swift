import Signing

/// Percent-decoding of one path segment or query component.
public enum PercentEncoding {
    /// Decodes `%XX` escapes; a `%` not followed by two hex digits is kept as it is, and bytes that
    /// are not UTF-8 become U+FFFD, so a bad identifier fails the model's pattern instead of routing.
    public static func decode<S: StringProtocol>(_ text: S, plusIsSpace: Bool = false) -> String {
        var text = String(text)
        return text.withUTF8 { decode($0, plusIsSpace: plusIsSpace) }
    }

    /// `decode(_:plusIsSpace:)` over UTF-8 bytes.
    static func decode(_ utf8: UnsafeBufferPointer<UInt8>, plusIsSpace: Bool = false) -> String {
        guard utf8.contains(UInt8(ascii: "%")) || (plusIsSpace && utf8.contains(UInt8(ascii: "+"))) else {
            return String(decoding: utf8, as: UTF8.self)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%"), index + 2 < utf8.count,
                let high = Hex.value(utf8[index + 1]), let low = Hex.value(utf8[index + 2])
            {
                bytes.append(high << 4 | low)
                index += 3
            } else {
                bytes.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
