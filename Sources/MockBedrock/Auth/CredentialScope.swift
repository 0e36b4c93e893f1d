import Fixtures

/// The credential scope of a SigV4 `Credential=AKID/YYYYMMDD/REGION/SERVICE/aws4_request`, checked
/// the way AWS checks it, with AWS's messages.
struct CredentialScope: Sendable, Equatable {
    static let algorithm = "AWS4-HMAC-SHA256 "

    var accessKeyId: String
    var date: String
    var region: String
    var service: String

    /// The parts of `credential`, or AWS's 403 for a scope it refuses. `amzDate` is the request's
    /// `X-Amz-Date`, whose day the scope's date must be (unchecked when the request has none).
    static func parse(_ credential: Substring, service expected: String, amzDate: String?) -> Result<CredentialScope, AWSError> {
        let parts = credential.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 5 else {
            return .failure(
                AWSError(
                    code: "IncompleteSignatureException", status: 403,
                    message: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '\(credential)'"))
        }
        guard parts[4] == "aws4_request" else {
            return .failure(
                AWSError(
                    code: "InvalidSignatureException", status: 403,
                    message: "Credential should be scoped with a valid terminator: 'aws4_request', not '\(parts[4])'. "))
        }
        guard parts[3] == expected else {
            return .failure(
                AWSError(
                    code: "InvalidSignatureException", status: 403, message: "Credential should be scoped to correct service: '\(expected)'. "))
        }
        guard isRegionName(parts[2]) else {
            return .failure(
                AWSError(
                    code: "InvalidSignatureException", status: 403, message: "Credential should be scoped to a valid region, not '\(parts[2])'. "))
        }
        if let amzDate, !(parts[1].utf8.count == 8 && amzDate.utf8.starts(with: parts[1].utf8)) {
            return .failure(
                AWSError(
                    code: "InvalidSignatureException", status: 403,
                    message: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '\(parts[1])' != '\(amzDate.prefix(8))', from '\(amzDate)'."
                ))
        }
        return .success(CredentialScope(accessKeyId: String(parts[0]), date: String(parts[1]), region: String(parts[2]), service: String(parts[3])))
    }

    /// A region as job ARNs carry it (the model's ARN patterns): 1 to 20 of a-z, 0-9 and `-`.
    static func isRegionName(_ text: Substring) -> Bool {
        (1...20).contains(text.utf8.count)
            && text.utf8.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-") }
    }
}
