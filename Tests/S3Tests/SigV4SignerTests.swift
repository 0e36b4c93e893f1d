import Signing
import Testing

/// The signer against the examples AWS publishes in the S3 API reference, "Signature Calculations
/// for the Authorization Header: Transferring Payload in a Single Chunk" (examplebucket, 2013-05-24).
@Suite struct SigV4SignerTests {
    static let signer = SigV4Signer(
        accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "us-east-1", service: "s3")
    static let date = AmzDate(secondsSince1970: 1_369_353_600)
    static let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    static let host = (name: "host", value: "examplebucket.s3.amazonaws.com")

    @Test func signsTheGetObjectExample() {
        // given
        let headers = [Self.host, (name: "Range", value: "bytes=0-9")]
        // when
        let added = Self.signer.sign(method: "GET", canonicalURI: "/test.txt", query: [], headers: headers, payloadHash: Self.emptyHash, date: Self.date)
        // then
        #expect(added.map(\.name) == ["x-amz-date", "x-amz-content-sha256", "Authorization"])
        #expect(added[0].value == "20130524T000000Z")
        #expect(added[1].value == Self.emptyHash)
        #expect(
            added[2].value
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        )
    }

    @Test func theGetObjectExamplesCanonicalRequestHashesAsPublished() {
        let canonical = SigV4.canonicalRequest(
            method: "GET", canonicalURI: "/test.txt", canonicalQuery: "",
            canonicalHeaders: [
                Self.host, ("range", "bytes=0-9"), ("x-amz-content-sha256", Self.emptyHash), ("x-amz-date", "20130524T000000Z"),
            ], payloadHash: Self.emptyHash)
        #expect(Hex.encode(SHA256.hash(canonical.utf8)) == "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972")
    }

    @Test func signsThePutObjectExample() {
        // The key test$file.text, its $ encoded in the path; a Date field and a storage class signed too.
        let payloadHash = Hex.encode(SHA256.hash("Welcome to Amazon S3.".utf8))
        let headers = [Self.host, ("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY")]
        let added = Self.signer.sign(
            method: "PUT", canonicalURI: "/" + SigV4.uriEncode("test$file.text"), query: [], headers: headers, payloadHash: payloadHash, date: Self.date)
        #expect(added.last?.value.hasSuffix("Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd") == true)
        #expect(added.last?.value.contains("SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,") == true)
    }

    @Test func signsTheListObjectsExampleWhateverTheQueryOrder() {
        for query in [[("max-keys", "2"), ("prefix", "J")], [("prefix", "J"), ("max-keys", "2")]] {
            let added = Self.signer.sign(method: "GET", canonicalURI: "/", query: query, headers: [Self.host], payloadHash: Self.emptyHash, date: Self.date)
            #expect(added.last?.value.hasSuffix("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7") == true)
        }
    }

    @Test func signsTheSessionTokenOfTemporaryCredentials() {
        var signer = Self.signer
        signer.sessionToken = "token/with+chars="
        let added = signer.sign(method: "GET", canonicalURI: "/test.txt", query: [], headers: [Self.host], payloadHash: Self.emptyHash, date: Self.date)
        #expect(added.map(\.name) == ["x-amz-date", "x-amz-content-sha256", "x-amz-security-token", "Authorization"])
        #expect(added[2].value == "token/with+chars=")
        #expect(added[3].value.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"))
    }

    @Test func writesTheRequestTimeInUTC() {
        #expect(AmzDate(secondsSince1970: 0).text == "19700101T000000Z")
        #expect(AmzDate(secondsSince1970: 951_782_399).text == "20000228T235959Z")
        #expect(AmzDate(secondsSince1970: 951_782_400).text == "20000229T000000Z")
        #expect(AmzDate(secondsSince1970: 4_102_444_799).text == "20991231T235959Z")
        #expect(AmzDate(secondsSince1970: -1).text == "19691231T235959Z")
        #expect(Self.date.day == "20130524")
    }
}
