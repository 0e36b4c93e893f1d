import Foundation
import Fixtures
import Testing

@testable import MockBedrock
import ServiceModel
import Signing

@Suite struct SigV4Tests {
    @Test func hashesTheFIPSTestVectors() {
        #expect(Hex.encode(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Hex.encode(SHA256.hash([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let twoBlocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(Hex.encode(SHA256.hash(Array(twoBlocks.utf8))) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(Hex.encode(SHA256.hash([UInt8](repeating: 0x61, count: 1_000_000))) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func authenticatesRFC4231TestCases() {
        // Test case 2 and test case 6 (a key longer than a block).
        #expect(
            Hex.encode(SHA256.hmac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(
            Hex.encode(SHA256.hmac(key: [UInt8](repeating: 0xaa, count: 131), message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)))
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    /// AWS's documented example (IAM ListUsers, "Create a signed AWS API request").
    @Test func signsAWSsDocumentedExample() {
        let request = HTTPRequest(
            method: "GET", path: "/", query: [("Action", "ListUsers"), ("Version", "2010-05-08")],
            headers: [("host", "iam.amazonaws.com"), ("content-type", "application/x-www-form-urlencoded; charset=utf-8"), ("x-amz-date", "20150830T123600Z")])
        let canonical = SigV4Verification.canonicalRequest(request, signedHeaders: ["content-type", "host", "x-amz-date"])
        #expect(Hex.encode(SHA256.hash(Array(canonical!.utf8))) == "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59")
        let verification = SigV4Verification(
            secrets: ["AKIDEXAMPLE": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"], allowedSkewSeconds: Int64.max / 4, service: "iam")
        var signed = request
        signed.headers.append(
            (
                "authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
            ))
        let now = Timestamp(iso8601: "2015-08-30T12:36:00Z")!
        #expect(verification.refusal(of: signed, operation: "ListUsers", accountId: "123456789012", now: now) == nil)
        // the body is covered: a declared payload hash must be the body's
        var declared = signed
        declared.headers.append(("x-amz-content-sha256", Hex.encode(SHA256.hash(Array("other".utf8)))))
        #expect(verification.refusal(of: declared, operation: "ListUsers", accountId: "123456789012", now: now)?.code == "InvalidSignatureException")
        // a signature scoped to another service, or without host, is refused before it is checked
        var bedrock = verification
        bedrock.service = "bedrock"
        #expect(
            bedrock.refusal(of: signed, operation: "ListUsers", accountId: "123456789012", now: now)?.message.hasPrefix("Credential should be scoped to correct service") == true)
        var hostless = signed
        hostless.headers[hostless.headers.count - 1].value = hostless.headers[hostless.headers.count - 1].value.replacingOccurrences(of: ";host;", with: ";")
        #expect(verification.refusal(of: hostless, operation: "ListUsers", accountId: "123456789012", now: now)?.code == "IncompleteSignatureException")
        signed.headers[signed.headers.count - 1].value.removeLast()
        signed.headers[signed.headers.count - 1].value += "8"
        #expect(verification.refusal(of: signed, operation: "ListUsers", accountId: "123456789012", now: now)?.code == "InvalidSignatureException")
    }

    @Test func comparesTokensOfAnyLengthInFull() {
        #expect(ConstantTime.equals("s3cret", "s3cret"))
        #expect(!ConstantTime.equals("s3cret", "s3creT"))
        #expect(!ConstantTime.equals("abc", "abc" + String(repeating: "\u{0}", count: 256)))
        #expect(!ConstantTime.equals("", "x"))
    }

    @Test func normalizesPathsAsBotocoreDoes() {
        #expect(SigV4Verification.removingDotSegments("/a/./b/../c//d/") == "/a/c/d/")
        #expect(SigV4Verification.removingDotSegments("") == "/")
        #expect(SigV4.uriEncode("/model-invocation-job/arn%3Aaws%3Ax", keepingSlashes: true) == "/model-invocation-job/arn%253Aaws%253Ax")
        #expect(SigV4.uriEncode("a b+/~") == "a%20b%2B%2F~")
        #expect(SigV4Verification.parseAmzDate("20260301T120000Z") == Timestamp(iso8601: "2026-03-01T12:00:00Z")!.seconds)
        #expect(AmzDate(secondsSince1970: Timestamp(iso8601: "2026-03-01T12:00:00Z")!.seconds).text == "20260301T120000Z")
    }
}

/// The credential scope is checked on every AWS operation, with or without --verify-sigv4: a job is
/// never made in a region its ARN cannot carry (a colon in the region crashed the server before).
@Suite struct CredentialScopeTests {
    @Test(arguments: [
        ("AKID/20260301/us-east-1:x/bedrock/aws4_request", "InvalidSignatureException", "Credential should be scoped to a valid region, not 'us-east-1:x'. "),
        ("AKID/20260301/US-EAST-1/bedrock/aws4_request", "InvalidSignatureException", "Credential should be scoped to a valid region, not 'US-EAST-1'. "),
        ("AKID/20260301//bedrock/aws4_request", "InvalidSignatureException", "Credential should be scoped to a valid region, not ''. "),
        (
            "AKID/20260301/abcdefghijklmnopqrstu/bedrock/aws4_request", "InvalidSignatureException",
            "Credential should be scoped to a valid region, not 'abcdefghijklmnopqrstu'. "
        ),
        ("AKID/20260301/us-east-1/bedrock-runtime/aws4_request", "InvalidSignatureException", "Credential should be scoped to correct service: 'bedrock'. "),
        ("AKID/20260301/us-east-1/bedrock/aws4", "InvalidSignatureException", "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4'. "),
        (
            "AKID/us-east-1/bedrock/aws4_request", "IncompleteSignatureException",
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKID/us-east-1/bedrock/aws4_request'"
        ),
    ])
    func refusesWhatAWSRefuses(credential: String, code: String, message: String) throws {
        let service = TestJobs.service()
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credential), SignedHeaders=host, Signature=00"
        let create = HTTPRequest(
            method: "POST", path: "/model-invocation-job", headers: [("authorization", authorization)],
            body: Array(
                #"{"jobName": "j", "roleArn": "arn:aws:iam::123456789012:role/R", "modelId": "m.x", "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://in-bucket/x"}}, "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/"}}}"#
                    .utf8))
        let response = service.respond(to: create)
        #expect(response.status == 403)
        #expect(response.header("x-amzn-ErrorType") == code)
        #expect(response.json?["message"]?.stringValue == message)
        #expect(service.respond(to: .make("GET", "/model-invocation-job/\(TestJobs.completedId)")).status == 200)  // still serving
    }

    @Test func readsTheRegionAndTheAccountOfAGoodScope() throws {
        let scope = try ServiceSettings().scope(of: .make(headers: TestJobs.signed("210987654321", "ap-southeast-2"))).get()
        #expect(scope == Scope(accountId: "210987654321", region: "ap-southeast-2"))
        let unsigned = try ServiceSettings(region: "eu-west-1").scope(of: .make()).get()
        #expect(unsigned == Scope(accountId: "123456789012", region: "eu-west-1"))
        let bearer = try ServiceSettings().scope(of: .make(headers: [("authorization", "Bearer abc/def")])).get()
        #expect(bearer.region == "us-east-1")  // not SigV4: the default scope, as before
    }

    @Test func theScopeDateMustBeTheRequestsDay() {
        let headers = TestJobs.signed("123456789012", "us-east-1") + [("x-amz-date", "20260302T000000Z")]
        guard case .failure(let error) = ServiceSettings().scope(of: .make(headers: headers)) else {
            Issue.record("a scope of another day was accepted")
            return
        }
        #expect(error.message == "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260301' != '20260302', from '20260302T000000Z'.")
    }
}

/// Page tokens are written in lower-case hex and read back only so (as before the one hex helper).
@Suite struct PageTokenTests {
    @Test func onlyTheTokenAsWrittenIsAccepted() throws {
        let tokens = PageTokens(secret: 42)
        let key = JobTable.OrderKey(submit: try #require(Timestamp(iso8601: "2026-03-01T10:00:00Z")), id: "a1b2c3d4e5f6")
        let token = tokens.token(after: key, fingerprint: "f")
        #expect(token == token.lowercased())
        #expect(tokens.position(from: token, fingerprint: "f") == key)
        #expect(tokens.position(from: token.uppercased(), fingerprint: "f") == nil)
        #expect(tokens.position(from: token, fingerprint: "g") == nil)
    }
}
