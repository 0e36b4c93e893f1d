import Fixtures
import ServiceModel
import Signing

/// Optional checking of AWS Signature Version 4, so that tests can exercise their credential
/// handling: requests must be signed with one of the configured key pairs, the way botocore signs
/// them, or they get AWS's 403 answers. Admin requests (`/_mock/...`) are never checked.
public struct SigV4Verification: Sendable {
    /// Secret access keys by access key id.
    public var secrets: [String: String]
    /// Access key ids whose valid requests are refused with AccessDeniedException.
    public var denied: Set<String>
    /// How far a request's `X-Amz-Date` may be from the real time (AWS allows 5 minutes).
    public var allowedSkewSeconds: Int64
    /// The service a credential scope must name.
    public var service: String

    public init(secrets: [String: String], denied: Set<String> = [], allowedSkewSeconds: Int64 = 300, service: String = "bedrock") {
        self.secrets = secrets
        self.denied = denied
        self.allowedSkewSeconds = allowedSkewSeconds
        self.service = service
    }

    static let invalidSignatureMessage =
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

    /// The 403 a request earns, or nil when it is signed with a configured key that is not denied.
    /// `now` is the real (wall-clock) time, never the virtual clock.
    public func refusal(of request: HTTPRequest, operation: String, accountId: String, now: Timestamp) -> AWSError? {
        guard let authorization = request.header("authorization"), !authorization.isEmpty else {
            return AWSError(code: "MissingAuthenticationTokenException", status: 403, message: "Missing Authentication Token")
        }
        guard let parsed = Authorization(authorization) else {
            return AWSError(
                code: "IncompleteSignatureException", status: 403,
                message:
                    "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters with the AWS4-HMAC-SHA256 algorithm. Authorization=\(authorization)")
        }
        guard let secret = secrets[parsed.accessKeyId] else {
            return AWSError(code: "UnrecognizedClientException", status: 403, message: "The security token included in the request is invalid.")
        }
        guard parsed.signedHeaders.contains("host") else {
            return AWSError(code: "IncompleteSignatureException", status: 403, message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
        }
        guard parsed.service == service else {
            return AWSError(code: "InvalidSignatureException", status: 403, message: "Credential should be scoped to correct service: '\(service)'. ")
        }
        guard let amzDate = request.allValues(named: "x-amz-date"), let signedAt = Self.parseAmzDate(amzDate),
            parsed.date.utf8.count == 8, amzDate.hasPrefix(parsed.date)
        else {
            return AWSError(code: "InvalidSignatureException", status: 403, message: Self.invalidSignatureMessage)
        }
        if abs(signedAt - now.seconds) > allowedSkewSeconds {
            let earliest = AmzDate(secondsSince1970: now.seconds - allowedSkewSeconds)
            let latest = AmzDate(secondsSince1970: now.seconds + allowedSkewSeconds)
            let detail =
                signedAt < now.seconds
                ? "\(amzDate) is now earlier than \(earliest) (\(AmzDate(secondsSince1970: now.seconds)) - \(allowedSkewSeconds / 60) min.)"
                : "\(amzDate) is now later than \(latest) (\(AmzDate(secondsSince1970: now.seconds)) + \(allowedSkewSeconds / 60) min.)"
            return AWSError(code: "InvalidSignatureException", status: 403, message: "Signature expired: \(detail)")
        }
        guard let canonical = Self.canonicalRequest(request, signedHeaders: parsed.signedHeaders) else {
            return AWSError(code: "InvalidSignatureException", status: 403, message: Self.invalidSignatureMessage)
        }
        let stringToSign = SigV4.stringToSign(amzDate: amzDate, scope: parsed.scope, canonicalRequest: canonical)
        let key = SigV4.signingKey(secret: secret, day: parsed.date, region: parsed.region, service: parsed.service)
        let expected = SigV4.signature(signingKey: key, stringToSign: stringToSign)
        guard ConstantTime.equals(expected, parsed.signature) else {
            return AWSError(code: "InvalidSignatureException", status: 403, message: Self.invalidSignatureMessage)
        }
        if denied.contains(parsed.accessKeyId) {
            return AWSError(
                "AccessDeniedException",
                "User: arn:aws:iam::\(accountId):user/\(parsed.accessKeyId) is not authorized to perform: bedrock:\(operation) because no identity-based policy allows the bedrock:\(operation) action"
            )
        }
        return nil
    }

    /// The parts of `Authorization: AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request, SignedHeaders=a;b, Signature=hex`.
    struct Authorization {
        var accessKeyId, date, region, service, scope, signature: String
        var signedHeaders: [String]

        init?(_ header: String) {
            guard header.hasPrefix("AWS4-HMAC-SHA256 ") else { return nil }
            var fields: [Substring: Substring] = [:]
            for part in header.dropFirst("AWS4-HMAC-SHA256 ".count).split(separator: ",") {
                let trimmed = part.drop { $0 == " " }
                guard let equals = trimmed.firstIndex(of: "=") else { return nil }
                fields[trimmed[..<equals]] = trimmed[trimmed.index(after: equals)...]
            }
            guard let credential = fields["Credential"], let signed = fields["SignedHeaders"], let signature = fields["Signature"] else { return nil }
            let parts = credential.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 5, parts[4] == "aws4_request", !signed.isEmpty else { return nil }
            accessKeyId = String(parts[0])
            date = String(parts[1])
            region = String(parts[2])
            service = String(parts[3])
            scope = parts[1...].joined(separator: "/")
            self.signature = String(signature)
            signedHeaders = signed.split(separator: ";").map(String.init)
        }
    }

    /// The canonical request as botocore builds it (botocore/auth.py, SigV4Auth.canonical_request).
    static func canonicalRequest(_ request: HTTPRequest, signedHeaders: [String]) -> String? {
        // The body is always hashed: a declared x-amz-content-sha256 must match it, or the signature
        // would not cover the body.
        var payloadHash = Hex.encode(SHA256.hash(request.body))
        if let declared = request.allValues(named: "x-amz-content-sha256") {
            guard declared == payloadHash || declared == "UNSIGNED-PAYLOAD" else { return nil }
            payloadHash = declared
        }
        var headers: [(name: String, value: String)] = []
        for name in signedHeaders {
            guard let value = request.allValues(named: name, normalized: true) else { return nil }
            headers.append((name, value))
        }
        // Not S3: the path as it arrived (already percent-encoded) is encoded once more, as botocore does.
        return SigV4.canonicalRequest(
            method: request.method, canonicalURI: SigV4.uriEncode(removingDotSegments(request.path), keepingSlashes: true),
            canonicalQuery: SigV4.canonicalQuery(request.query), canonicalHeaders: headers, payloadHash: payloadHash)
    }

    /// RFC 3986 section 5.2.4 without the empty segments AWS drops (botocore's `remove_dot_segments`).
    static func removingDotSegments(_ path: String) -> String {
        guard !path.isEmpty else { return "/" }
        var output: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) where segment != "." {
            if segment == ".." {
                if !output.isEmpty { output.removeLast() }
            } else {
                output.append(segment)
            }
        }
        let first = path.hasPrefix("/") ? "/" : ""
        let last = path.hasSuffix("/") && !output.isEmpty ? "/" : ""
        return first + output.joined(separator: "/") + last
    }

    /// Seconds since 1970 of `20260301T120000Z`, nil for anything else.
    static func parseAmzDate(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z") else { return nil }
        let iso =
            "\(text.prefix(4))-\(text.dropFirst(4).prefix(2))-\(text.dropFirst(6).prefix(2))T\(text.dropFirst(9).prefix(2)):\(text.dropFirst(11).prefix(2)):\(text.dropFirst(13).prefix(2))Z"
        return Timestamp(iso8601: iso)?.seconds
    }
}

extension HTTPRequest {
    /// Every value of the header field `name` (lower case), joined with commas as botocore joins
    /// them; `normalized` also trims each and squeezes its runs of spaces, as the canonical request does.
    func allValues(named name: String, normalized: Bool = false) -> String? {
        let values = headers.filter { $0.name == name }.map(\.value)
        guard !values.isEmpty else { return nil }
        return normalized ? SigV4.canonicalHeaderValue(values) : values.joined(separator: ",")
    }
}
