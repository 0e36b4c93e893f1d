/// Signs requests with AWS Signature Version 4 (the `Authorization` header form), as the S3
/// client needs: the caller gives the request as it will send it and adds the headers returned.
/// Every header given is signed, with `x-amz-date`, `x-amz-content-sha256` and (with temporary
/// credentials) `x-amz-security-token`, so nothing that reaches the server unsigned can change
/// what the request means.
public struct SigV4Signer: Sendable {
    public var accessKeyId: String
    public var secretAccessKey: String
    /// The session token of temporary credentials (STS), sent as `x-amz-security-token`.
    public var sessionToken: String?
    public var region: String
    /// The signing name of the service: `s3`, `bedrock`, ...
    public var service: String

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, region: String, service: String) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.region = region
        self.service = service
    }

    /// The header fields to add to the request: `x-amz-date`, `x-amz-content-sha256`,
    /// `x-amz-security-token` (with a session token) and `Authorization`.
    /// - Parameters:
    ///   - canonicalURI: the path as it is sent, already percent-encoded (for S3, each byte of the
    ///     key but the unreserved ones and `/`, once: S3 does not encode it again, other services do).
    ///   - query: the query items, not encoded (the signer encodes them as the URL must carry them).
    ///   - headers: the fields sent that are to be signed; `host` must be among them.
    ///   - payloadHash: the body's SHA-256 in lower-case hex, or `UNSIGNED-PAYLOAD`.
    public func sign(
        method: String, canonicalURI: String, query: [(name: String, value: String)], headers: [(name: String, value: String)],
        payloadHash: String, date: AmzDate
    ) -> [(name: String, value: String)] {
        var added: [(name: String, value: String)] = [("x-amz-date", date.text), ("x-amz-content-sha256", payloadHash)]
        if let sessionToken { added.append(("x-amz-security-token", sessionToken)) }
        var valuesByName: [String: [String]] = [:]
        for (name, value) in headers + added { valuesByName[name.lowercased(), default: []].append(value) }
        let canonicalHeaders = valuesByName.keys.sorted().map { (name: $0, value: SigV4.canonicalHeaderValue(valuesByName[$0]!)) }
        let canonicalRequest = SigV4.canonicalRequest(
            method: method, canonicalURI: canonicalURI, canonicalQuery: SigV4.canonicalQuery(query), canonicalHeaders: canonicalHeaders,
            payloadHash: payloadHash)
        let scope = SigV4.scope(day: date.day, region: region, service: service)
        let stringToSign = SigV4.stringToSign(amzDate: date.text, scope: scope, canonicalRequest: canonicalRequest)
        let key = SigV4.signingKey(secret: secretAccessKey, day: date.day, region: region, service: service)
        let signature = SigV4.signature(signingKey: key, stringToSign: stringToSign)
        let signedHeaders = canonicalHeaders.map(\.name).joined(separator: ";")
        let authorization = "\(SigV4.algorithm) Credential=\(accessKeyId)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return added + [("Authorization", authorization)]
    }
}
