import Fixtures
import ServiceModel
import Signing

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
        return Hex.encode(Array((payload + "|" + signature(payload, fingerprint)).utf8))
    }

    func position(from token: String, fingerprint: String) -> JobTable.OrderKey? {
        guard let bytes = Hex.decode(token), let text = String(validating: bytes, as: UTF8.self) else { return nil }
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
}

extension SystemRandomNumberGenerator {
    func nextValue() -> UInt64 {
        var generator = self
        return generator.next()
    }
}
