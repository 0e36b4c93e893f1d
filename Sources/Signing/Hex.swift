/// Hexadecimal digits, both ways: SHA-256 digests (SigV4, signed and checked), page tokens and
/// percent-encoding use it.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// `bytes` as lower-case hexadecimal.
    public static func encode(_ bytes: [UInt8]) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes of an even number of hexadecimal digits (lower case only, as `encode` writes them,
    /// unless `anyCase`), nil for anything else.
    public static func decode(_ text: String, anyCase: Bool = false) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        for index in stride(from: 0, to: utf8.count, by: 2) {
            guard let high = value(utf8[index], anyCase: anyCase), let low = value(utf8[index + 1], anyCase: anyCase) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    /// The value of one hexadecimal digit (either case, or lower case only), nil for any other byte.
    public static func value(_ byte: UInt8, anyCase: Bool = true) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F") where anyCase: byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
