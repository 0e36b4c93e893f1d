import LiveTestSupport
import Testing

@testable import S3

/// Every kind of request the client makes, checked by a verifier that is not ours: moto_server with
/// `INITIAL_NO_AUTH_ACTION_COUNT` recomputes each signature with botocore's S3 signer and refuses a
/// mismatch (SignatureDoesNotMatch). Signed for eu-west-1, so CreateBucket carries a LocationConstraint.
/// moto checks the path as werkzeug rebuilds it, which leaves sub-delimiters (`+ & = ; : @ $ , ( ) * ' !`),
/// `%` and non-ASCII bytes other than S3 encodes them: it refuses boto3's own signatures of such keys,
/// so the keys here keep to spaces, `?`, `#` and dot segments (the others go through LiveS3Tests, unchecked).
/// The same holds for a `/` in a query value (boto3's `Prefix="in/"` is refused too): the prefix here has none.
@Suite struct SignedRequestTests {
    @Test func aServerCheckingSignaturesAcceptsEveryRequestTheClientMakes() throws {
        // given: a moto that checks signatures, and an access key of a user allowed s3:*
        let moto = try MotoServer.start(environment: ["INITIAL_NO_AUTH_ACTION_COUNT=3"])
        defer { moto.stop() }
        let key = try moto.createAccessKey()
        let configuration = S3Configuration(endpoint: moto.endpoint, region: "eu-west-1", accessKeyId: key.id, secretAccessKey: key.secret)
        let client = try S3Client(configuration)
        // when / then: bucket, objects with reserved characters, paging with a prefix and a token, multipart
        try client.createBucket("signed-bucket")
        let keys = ["in/a b?c#d.jsonl", "in/dir//x/./y/../z", "in/~-_.", "in/plain.jsonl"]
        for (index, name) in keys.enumerated() { try client.putObject(bucket: "signed-bucket", key: name, body: Array(repeating: UInt8(index), count: index + 1)) }
        let listed = try client.listObjects(bucket: "signed-bucket", prefix: "in", pageSize: 1)
        #expect(listed.map(\.key) == keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        #expect(try client.headObject(bucket: "signed-bucket", key: keys[1])?.size == 2)
        var received: [UInt8] = []
        try client.getObject(bucket: "signed-bucket", key: keys[0]) { received += $0 }
        #expect(received == [0])
        let writer = client.objectWriter(bucket: "signed-bucket", key: "out/big object", partSize: 5 << 20)
        try writer.append([UInt8](repeating: 7, count: (5 << 20) + 3))
        try writer.finish()
        #expect(try client.headObject(bucket: "signed-bucket", key: "out/big object")?.size == (5 << 20) + 3)
        let aborted = client.objectWriter(bucket: "signed-bucket", key: "out/aborted", partSize: 5 << 20)
        try aborted.append([UInt8](repeating: 1, count: (5 << 20) + 1))
        aborted.abort()
        // and a wrong secret is refused
        var wrong = configuration
        wrong.secretAccessKey += "x"
        let refused = #expect(throws: S3Error.self) { try S3Client(wrong).listObjects(bucket: "signed-bucket", prefix: "") }
        #expect(refused?.code == "SignatureDoesNotMatch")
        #expect(refused?.httpStatus == 403)
    }
}
