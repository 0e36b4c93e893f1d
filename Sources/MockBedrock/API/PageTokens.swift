import Fixtures
import ServiceModel

/// Opaque List page tokens: the position after which the next page starts, bound to the
/// listing's filters and signed with a secret of this server process, so that a forged token, a
/// token of another listing or one from an earlier run is refused.
struct PageTokens: Sendable {
    private let secret: UInt64

    init(secret: UInt64 = SystemRandomNumberGenerator().nextValue()) {
        self.secret = secret
    }

    func token(after key: JobTable.OrderKey, fingerprint: String) -> String {
        let payload = "1|\(key.submit.seconds).\(key.submit.nanoseconds)|\(key.id)"
        return Self.hex(Array((payload + "|" + signature(payload, fingerprint)).utf8))
    }

    func position(from token: String, fingerprint: String) -> JobTable.OrderKey? {
        guard let bytes = Self.unhex(token), let text = String(validating: bytes, as: UTF8.self) else { return nil }
        let parts = text.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "1" else { return nil }
        let instant = parts[1].split(separator: ".")
        guard instant.count == 2, let seconds = Int64(instant[0]), let nanoseconds = Int32(instant[1]) else { return nil }
        let payload = parts[0...2].joined(separator: "|")
        guard parts[3] == signature(payload, fingerprint) else { return nil }
        return JobTable.OrderKey(submit: Timestamp(seconds: seconds, nanoseconds: nanoseconds), id: String(parts[2]))
    }

    /// FNV-1a over the secret, the payload and the fingerprint: enough to tell a token this
    /// process made for this listing from anything else.
    private func signature(_ payload: String, _ fingerprint: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ secret
        for byte in Array(payload.utf8) + [0] + Array(fingerprint.utf8) {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return String(hash, radix: 36)
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
    }

    private static func unhex(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: utf8.count, by: 2) {
            guard let high = hexValue(utf8[index]), let low = hexValue(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}

extension SystemRandomNumberGenerator {
    func nextValue() -> UInt64 {
        var generator = self
        return generator.next()
    }
}
