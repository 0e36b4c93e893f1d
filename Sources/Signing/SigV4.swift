/// The steps of AWS Signature Version 4 that signing a request (the S3 client) and checking one
/// (the server's `SigV4Verification`) share, so that both compute the same thing in one place:
/// the canonical request, the string to sign, the signing key and the signature.
/// AWS's description: "Signature Calculations for the Authorization Header" (S3 API reference).
public enum SigV4 {
    public static let algorithm = "AWS4-HMAC-SHA256"

    private static let upperHex = Array("0123456789ABCDEF".utf8)

    /// Percent-encodes every byte but A-Z a-z 0-9 - _ . ~ (and `/` when asked), in upper-case hex:
    /// AWS's UriEncode(), which is also Python's `quote` with those safe characters.
    public static func uriEncode(_ text: String, keepingSlashes: Bool = false) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                bytes.append(byte)
            case UInt8(ascii: "/") where keepingSlashes:
                bytes.append(byte)
            default:
                bytes += [UInt8(ascii: "%"), upperHex[Int(byte >> 4)], upperHex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The query items (not yet encoded) as the canonical query string: each name and value
    /// UriEncode()d, sorted by name then value, `name=value` joined with `&` (`name=` for an empty value).
    public static func canonicalQuery(_ items: [(name: String, value: String)]) -> String {
        items
            .map { (uriEncode($0.name), uriEncode($0.value)) }
            .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// The values of one header field as the canonical request carries them: each trimmed, its runs of
    /// spaces and tabs squeezed to one space, and the values joined with commas.
    public static func canonicalHeaderValue(_ values: [String]) -> String {
        values.map { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ") }.joined(separator: ",")
    }

    /// The canonical request. `canonicalHeaders` are the signed fields in order, names in lower case
    /// and values already canonical (`canonicalHeaderValue`); their names make the signed-headers line.
    public static func canonicalRequest(
        method: String, canonicalURI: String, canonicalQuery: String, canonicalHeaders: [(name: String, value: String)], payloadHash: String
    ) -> String {
        [
            method,
            canonicalURI,
            canonicalQuery,
            canonicalHeaders.map { "\($0.name):\($0.value)\n" }.joined(),
            canonicalHeaders.map(\.name).joined(separator: ";"),
            payloadHash,
        ].joined(separator: "\n")
    }

    /// `date/region/service/aws4_request`, `date` being the day of the request (`20130524`).
    public static func scope(day: String, region: String, service: String) -> String {
        "\(day)/\(region)/\(service)/aws4_request"
    }

    /// The algorithm, the request's time (`20130524T000000Z`), the scope and the canonical request's hash.
    public static func stringToSign(amzDate: String, scope: String, canonicalRequest: String) -> String {
        [algorithm, amzDate, scope, Hex.encode(SHA256.hash(canonicalRequest.utf8))].joined(separator: "\n")
    }

    /// The key HMAC-chained from the secret through the scope's day, region and service.
    public static func signingKey(secret: String, day: String, region: String, service: String) -> [UInt8] {
        var key = Array("AWS4\(secret)".utf8)
        for part in [day, region, service, "aws4_request"] {
            key = SHA256.hmac(key: key, message: Array(part.utf8))
        }
        return key
    }

    /// The signature: HMAC-SHA256 of the string to sign under the signing key, in lower-case hex.
    public static func signature(signingKey: [UInt8], stringToSign: String) -> String {
        Hex.encode(SHA256.hmac(key: signingKey, message: Array(stringToSign.utf8)))
    }
}
