import Dispatch
import LiveTestSupport
import Signing
import Synchronization
import Testing

@testable import S3

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The client against a real moto_server: buckets, paging, streaming, multipart uploads, S3's errors.
/// Each test works in a bucket of its own, so the tests can run at the same time.
@Suite(.motoServer) struct LiveS3Tests {
    static func client() throws -> S3Client {
        let moto = try #require(MotoServer.current, "the suite runs inside WithMotoServer")
        return try S3Client(
            S3Configuration(endpoint: moto.endpoint, region: "us-east-1", accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "moto-accepts-any-secret"))
    }

    /// `count` bytes of a fixed pseudo-random sequence (xorshift64), different for each `seed`.
    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed | 1
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { buffer in
            for index in stride(from: 0, to: count, by: 8) {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                withUnsafeBytes(of: state) { word in
                    for offset in 0..<min(8, count - index) { buffer[index + offset] = word[offset] }
                }
            }
        }
        return bytes
    }

    /// Streams the object and checks it is `expected`, byte for byte, without holding a second copy.
    static func expectObject(_ client: S3Client, bucket: String, key: String, equals expected: [UInt8]) throws -> Int {
        var offset = 0
        var chunks = 0
        try client.getObject(bucket: bucket, key: key) { chunk throws(S3Error) in
            guard offset + chunk.count <= expected.count,
                expected.withUnsafeBytes({ memcmp($0.baseAddress! + offset, chunk.baseAddress!, chunk.count) }) == 0
            else { throw S3Error(code: "Mismatch", message: "the object differs at or after byte \(offset)") }
            offset += chunk.count
            chunks += 1
        }
        #expect(offset == expected.count)
        return chunks
    }

    /// `batch/0000` to `batch/2499`: S3 lists them in this order.
    static func pagingKey(_ index: Int) -> String {
        "batch/" + String(String(index + 10_000).dropFirst())
    }

    @Test func pagesThroughTwoAndAHalfThousandKeys() throws {
        // given: 2,500 small objects, put from four threads at once through one client
        let client = try Self.client()
        try client.createBucket("paging")
        let failures = Mutex<[S3Error]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for index in stride(from: worker, to: 2_500, by: 4) {
                do throws(S3Error) {
                    try client.putObject(bucket: "paging", key: Self.pagingKey(index), body: Array(String(index).utf8))
                } catch {
                    failures.withLock { $0.append(error) }
                }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        // when: pages of 1,000, 1,000 and 500
        let listed = try client.listObjects(bucket: "paging", prefix: "batch/", pageSize: 1_000)
        // then
        #expect(listed.count == 2_500)
        let expected = (0..<2_500).map { S3Object(key: Self.pagingKey($0), size: Int64(String($0).utf8.count)) }
        #expect(listed == expected)
        #expect(try client.listObjects(bucket: "paging", prefix: "batch/01", pageSize: 7).count == 100)
        #expect(try client.listObjects(bucket: "paging", prefix: "nothing/").isEmpty)
        let tooMany = #expect(throws: S3Error.self) { try client.listObjects(bucket: "paging", prefix: "", maxKeys: 1_500) }
        #expect(tooMany?.code == "TooLarge")
    }

    @Test func streamsAnObjectAndStopsWhenTheCallbackThrows() throws {
        let client = try Self.client()
        try client.createBucket("streaming")
        let object = Self.bytes(3 << 20, seed: 7)
        try client.putObject(bucket: "streaming", key: "in/records.jsonl", body: object)
        #expect(try client.headObject(bucket: "streaming", key: "in/records.jsonl") == S3Object(key: "in/records.jsonl", size: 3 << 20))
        #expect(try Self.expectObject(client, bucket: "streaming", key: "in/records.jsonl", equals: object) > 1)
        var calls = 0
        let stop = S3Error(code: "Stop", message: "enough")
        let error = #expect(throws: S3Error.self) {
            try client.getObject(bucket: "streaming", key: "in/records.jsonl") { _ throws(S3Error) in
                calls += 1
                throw stop
            }
        }
        #expect(error == stop)
        #expect(calls == 1)
        try client.putObject(bucket: "streaming", key: "empty", body: [])
        #expect(try Self.expectObject(client, bucket: "streaming", key: "empty", equals: []) == 0)
    }

    @Test func writesTwentyMiBAsAMultipartUpload() throws {
        // given
        let client = try Self.client()
        try client.createBucket("multipart")
        let object = Self.bytes(20 << 20, seed: 20)
        // when: appended in uneven pieces, uploaded as parts of 8, 8 and 4 MiB
        let writer = client.objectWriter(bucket: "multipart", key: "out/big.jsonl.out")
        var offset = 0
        while offset < object.count {
            let count = min(1_000_003, object.count - offset)
            try writer.append(Array(object[offset..<offset + count]))
            offset += count
        }
        try writer.finish()
        // then
        #expect(try client.headObject(bucket: "multipart", key: "out/big.jsonl.out")?.size == 20 << 20)
        _ = try Self.expectObject(client, bucket: "multipart", key: "out/big.jsonl.out", equals: object)
        #expect(throws: S3Error(code: "WriterClosed", message: "s3://multipart/out/big.jsonl.out: the writer was finished or aborted")) { try writer.append([1]) }
    }

    @Test func writesASmallObjectInOnePutAndAbortsAnUnfinishedOne() throws {
        let client = try Self.client()
        try client.createBucket("writer")
        let small = client.objectWriter(bucket: "writer", key: "small")
        try small.append(Array("{\"a\":1}\n".utf8))
        try small.append(Array("{\"a\":2}\n".utf8))
        try small.finish()
        _ = try Self.expectObject(client, bucket: "writer", key: "small", equals: Array("{\"a\":1}\n{\"a\":2}\n".utf8))
        let abandoned = client.objectWriter(bucket: "writer", key: "abandoned", partSize: 5 << 20)
        try abandoned.append(Self.bytes(6 << 20, seed: 3))  // one part uploaded, the rest held
        abandoned.abort()
        #expect(try client.headObject(bucket: "writer", key: "abandoned") == nil)
    }

    @Test func reportsS3sErrors() throws {
        let client = try Self.client()
        try client.createBucket("errors")
        let noKey = #expect(throws: S3Error.self) { try client.getObject(bucket: "errors", key: "missing") { _ in } }
        #expect(noKey?.code == "NoSuchKey")
        #expect(noKey?.httpStatus == 404)
        let noBucket = #expect(throws: S3Error.self) { try client.listObjects(bucket: "no-such-bucket", prefix: "") }
        #expect(noBucket?.code == "NoSuchBucket")
        #expect(try client.headObject(bucket: "errors", key: "missing") == nil)
        #expect(try client.headObject(bucket: "no-such-bucket", key: "missing") == nil)
        let putNoBucket = #expect(throws: S3Error.self) { try client.putObject(bucket: "no-such-bucket", key: "k", body: [1]) }
        #expect(putNoBucket?.code == "NoSuchBucket")
        // A multipart upload that cannot start fails the writer, which then keeps saying why.
        let writer = client.objectWriter(bucket: "no-such-bucket", key: "k", partSize: 5 << 20)
        let failed = #expect(throws: S3Error.self) { try writer.append(Self.bytes((5 << 20) + 1, seed: 1)) }
        #expect(failed?.code == "NoSuchBucket")
        #expect(throws: failed!) { try writer.finish() }
    }

    @Test(arguments: ["a b+c%d&e=f?g#h", "été/ü/日本", "dir//double/./dot/../x", "~-_.()*'!$,;:@", "trailing/"])
    func keysOfAnyCharactersRoundTrip(key: String) throws {
        let client = try Self.client()
        let bucket = "keys-" + Hex.encode(SHA256.hash(key.utf8)).prefix(12)
        try client.createBucket(bucket)
        let body = Array("body of \(key)".utf8)
        try client.putObject(bucket: bucket, key: key, body: body)
        #expect(try client.listObjects(bucket: bucket, prefix: "") == [S3Object(key: key, size: Int64(body.count))])
        _ = try Self.expectObject(client, bucket: bucket, key: key, equals: body)
    }
}
