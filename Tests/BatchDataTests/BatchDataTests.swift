import BatchData
import JSON
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Fails every record whose id ends in "7"; answers the others with their id.
struct TestResponder: RecordResponder {
    func refusal(_ record: BatchRecord) -> (code: Int, message: String)? {
        record.recordId.hasSuffix("7") ? (400, "Malformed input request") : nil
    }

    func answer(_ record: BatchRecord) -> RecordAnswer {
        if let (code, message) = refusal(record) { return .error(code: code, message: message) }
        return RecordAnswer(outcome: .output(.object([JSONMember("echo", .string(record.recordId))])), inputTokens: 3, outputTokens: 2)
    }
}

func records(_ range: Range<Int>) -> String {
    range.map { "{\"recordId\": \"r\($0)\", \"modelInput\": {\"prompt\": \"p\($0)\"}}\n" }.joined()
}

@Suite struct S3LocationTests {
    @Test(arguments: [
        ("s3://my-bucket/a/b.jsonl", "my-bucket", "a/b.jsonl"), ("s3://my-bucket", "my-bucket", ""), ("s3://my.bucket.1/", "my.bucket.1", ""),
    ])
    func parses(uri: String, bucket: String, key: String) throws {
        let location = try S3Location.parse(uri).get()
        #expect(location.bucket == bucket && location.key == key)
    }

    @Test(arguments: [
        "http://x/y", "s3://ab/x", "s3://Upper/x", "s3://-bucket/x", "s3://bucket-/x", "s3://a..b/x", "s3://192.168.1.1/x",
        "s3://xn--bucket/x", "s3://bucket/../x", "s3://bucket/a/./b", "s3://bucket//a", "s3://bucket/a\u{0}b", "s3://bucket/a//b",
    ])
    func refuses(uri: String) {
        #expect(throws: DataProblem.self) { try S3Location.parse(uri).get() }
    }

    @Test func foldersAndNames() {
        let location = S3Location(bucket: "b", key: "out")
        #expect(location.appending("id/x.out").key == "out/id/x.out")
        #expect(S3Location(bucket: "b", key: "").appending("id").key == "id")
        #expect(S3Location(bucket: "b", key: "a/b/c.jsonl").fileName == "c.jsonl")
    }
}

@Suite struct ScanAndWriteTests {
    // given a store with two files under a prefix, one nested
    func store() -> MemoryStore {
        let store = MemoryStore()
        store.put("s3://in-bucket/in/a.jsonl", records(0..<60))
        store.put("s3://in-bucket/in/deep/b.jsonl", records(60..<100) + "\n  \n")
        store.put("s3://in-bucket/in/pic.png", "PNG")
        return store
    }

    @Test func scanCountsRecordsAndErrorsPerFile() throws {
        let scan = try InputScanner(store: store(), limits: DataLimits()).scan(
            S3Location(bucket: "in-bucket", key: "in"), jobId: "job000000001", responder: TestResponder())
        #expect(scan.files.map(\.outputName) == ["a.jsonl.out", "deep/b.jsonl.out"])
        #expect(scan.files.map(\.records) == [60, 40])
        #expect(scan.totalRecords == 100)
        #expect(scan.errors(amongFirst: 100) == 10)  // r7, r17, ..., r97
        #expect(scan.errors(amongFirst: 8) == 1)
        #expect(scan.errors(amongFirst: 0) == 0)
    }

    @Test func pickedErrorsAreExactAndSeeded() throws {
        let scanner = InputScanner(store: store(), limits: DataLimits())
        let one = try scanner.scan(S3Location(bucket: "in-bucket", key: "in/"), jobId: "job000000001", responder: TestResponder(), errorShare: 0.3)
        let two = try scanner.scan(S3Location(bucket: "in-bucket", key: "in/"), jobId: "job000000001", responder: TestResponder(), errorShare: 0.3)
        #expect((1...100).map(one.errors(amongFirst:)) == (1...100).map(two.errors(amongFirst:)))
        #expect(one.errors(amongFirst: 100) >= 30 && one.errors(amongFirst: 100) <= 40)
    }

    @Test func writerFollowsTheScan() throws {
        let store = store()
        let scan = try InputScanner(store: store, limits: DataLimits()).scan(
            S3Location(bucket: "in-bucket", key: "in"), jobId: "job000000001", responder: TestResponder())
        let manifest = try OutputWriter(store: store, limits: DataLimits()).write(
            scan, processed: 70, output: S3Location(bucket: "out-bucket", key: "res/"), jobId: "job000000001", responder: TestResponder())
        #expect(manifest.processedRecordCount == 70)
        #expect(manifest.errorRecordCount == scan.errors(amongFirst: 70))
        #expect(manifest.successRecordCount == 70 - manifest.errorRecordCount)
        #expect(manifest.inputTokenCount == Int64(3 * manifest.successRecordCount))
        let first = try #require(store.text("s3://out-bucket/res/job000000001/a.jsonl.out"))
        let second = try #require(store.text("s3://out-bucket/res/job000000001/deep/b.jsonl.out"))
        #expect(first.split(separator: "\n").count == 60)
        #expect(second.split(separator: "\n").count == 10)
        #expect(first.hasPrefix(#"{"recordId":"r0","modelInput":{"prompt":"p0"},"modelOutput":{"echo":"r0"}}"#))
        #expect(first.contains(#"{"recordId":"r7","modelInput":{"prompt":"p7"},"error":{"errorCode":400,"errorMessage":"Malformed input request"}}"#))
        let manifestText = try #require(store.text("s3://out-bucket/res/job000000001/manifest.json.out"))
        #expect(manifestText.hasPrefix(#"{"totalRecordCount":100,"processedRecordCount":70,"#))
    }

    @Test(arguments: [
        ("{\"recordId\": \"a\"}\n", "line 1 has no modelInput"),
        ("{\"modelInput\": 3}\n", "line 1 has a modelInput that is a number, not a JSON object"),
        ("{\"recordId\": 5, \"modelInput\": {}}\n", "line 1 has a recordId that is a number, not a string"),
        ("\"text\"\n", "line 1 is a string, not a JSON object"),
        ("{\"a\":1,\"a\":2}\n", "line 1 is not valid JSON"),
    ])
    func badLinesAreNamed(text: String, expected: String) {
        let store = MemoryStore()
        store.put("s3://in-bucket/x.jsonl", text + records(0..<200))
        #expect {
            _ = try InputScanner(store: store, limits: DataLimits()).scan(
                S3Location(bucket: "in-bucket", key: "x.jsonl"), jobId: "job000000001", responder: TestResponder())
        } throws: { error in
            (error as? DataProblem)?.message.contains("s3://in-bucket/x.jsonl \(expected)") == true
        }
    }

    @Test func aLongLineIsReportedWithoutBeingKept() {
        let store = MemoryStore(chunk: 1 << 16)
        store.put("s3://in-bucket/x.jsonl", records(0..<150) + String(repeating: "x", count: 5000) + "\n")
        #expect {
            _ = try InputScanner(store: store, limits: DataLimits(maxRecordBytes: 1024)).scan(
                S3Location(bucket: "in-bucket", key: "x.jsonl"), jobId: "job000000001", responder: TestResponder())
        } throws: { error in
            (error as? DataProblem)?.message.contains("line 151 is 5000 bytes, more than the 1024 a record may have") == true
        }
    }

    @Test func manyProblemsAreCountedNotListed() {
        let store = MemoryStore(chunk: 4096)
        store.put("s3://in-bucket/x.jsonl", String(repeating: "nope\n", count: 3000))
        #expect {
            _ = try InputScanner(store: store, limits: DataLimits()).scan(
                S3Location(bucket: "in-bucket", key: "x.jsonl"), jobId: "job000000001", responder: TestResponder())
        } throws: { error in
            guard let message = (error as? DataProblem)?.message else { return false }
            // Counted exactly, every line read (issue 23, 14: the count stopped at 1,001 before).
            return message.contains("and 2995 more problems") && message.utf8.count <= 2048
        }
    }
}

@Suite struct DirectoryStoreTests {
    func temporaryDirectory() throws -> String {
        var template = Array("/tmp/batchdata-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.flatMap { mkdtemp($0) }.map { String(cString: $0) } }
        return try #require(made)
    }

    @Test func writesAppearWholeAndStayInside() throws {
        let root = try temporaryDirectory()
        mkdir(root + "/bucket", 0o755)
        let store = try DirectoryStore(path: root)
        let sink = try store.writer(bucket: "bucket", key: "a/b/c.out")
        try sink.append(Array("hello".utf8))
        #expect(try store.head(bucket: "bucket", key: "a/b/c.out") == nil)  // not before finish
        try sink.finish()
        #expect(try store.head(bucket: "bucket", key: "a/b/c.out")?.size == 5)
        #expect(try store.list(bucket: "bucket", prefix: "a/", limit: 10).map(\.key) == ["a/b/c.out"])
        #expect(throws: StoreError.self) { try store.writer(bucket: "bucket", key: "../escape") }
        #expect(throws: StoreError.self) { try store.writer(bucket: "nobucket", key: "x") }
        symlink("/etc", root + "/bucket/etc")
        #expect(throws: StoreError.self) { try store.read(bucket: "bucket", key: "etc/hostname") { _ in } }
        // a listing refuses the link that leads out rather than skip it without a word (issue 23, 14)
        #expect {
            try store.list(bucket: "bucket", prefix: "", limit: 10)
        } throws: { error in
            (error as? StoreError)?.message.contains("1 link leads outside the --s3-dir directory (the first: etc)") == true
        }
        #expect(try store.list(bucket: "bucket", prefix: "a/", limit: 10).map(\.key) == ["a/b/c.out"])
    }
}

/// A store whose listing says what the test wants (sizes, keys), over a memory store's bytes.
struct ListingStore: ObjectStore {
    let base: MemoryStore
    let listing: [StoredObject]
    var name: String { "listing" }

    func list(bucket: String, prefix: String, limit: Int) throws(StoreError) -> [StoredObject] { listing }
    func head(bucket: String, key: String) throws(StoreError) -> StoredObject? { nil }
    func read(bucket: String, key: String, _ chunk: (UnsafeRawBufferPointer) throws(StoreError) -> Void) throws(StoreError) {
        try base.read(bucket: bucket, key: key, chunk)
    }
    func writer(bucket: String, key: String) throws(StoreError) -> any ObjectSink { try base.writer(bucket: bucket, key: key) }
}

/// Issue 23: what a listing or an object says is not trusted.
@Suite struct HostileListingTests {
    let folder = S3Location(bucket: "in-bucket", key: "in/")

    func scan(_ store: any ObjectStore, _ limits: DataLimits = DataLimits(minRecords: 1), log: @escaping (String) -> Void = { _ in }) throws(DataProblem) -> InputScan {
        try InputScanner(store: store, limits: limits, log: log).scan(folder, jobId: "job000000001", responder: TestResponder())
    }

    @Test func sizesWhoseSumOverflowsFailOnTheJobSizeQuota() {
        // given two objects of Int64.max bytes (a hostile listing, or two sparse 8 EiB files)
        let store = ListingStore(base: MemoryStore(), listing: [StoredObject(key: "in/a.jsonl", size: .max), StoredObject(key: "in/b.jsonl", size: .max)])
        // then the scan fails on the quota instead of trapping on the sum
        #expect {
            _ = try scan(store)
        } throws: { error in
            (error as? DataProblem)?.message.contains("is more than 9223372036854775807 bytes, more than the job size quota") == true
        }
    }

    @Test func keysOutsideThePrefixOrListedTwiceAreDroppedAndLogged() throws {
        let base = MemoryStore()
        base.put("s3://in-bucket/in/a.jsonl", records(0..<10))
        base.put("s3://in-bucket/outside-prefix.jsonl", records(10..<20))
        let size = Int64(records(0..<10).utf8.count)
        let store = ListingStore(
            base: base,
            listing: [
                StoredObject(key: "in/a.jsonl", size: size), StoredObject(key: "in/a.jsonl", size: size),
                StoredObject(key: "outside-prefix.jsonl", size: size), StoredObject(key: "in/", size: 0),
            ])
        var lines: [String] = []
        let found = try scan(store, log: { lines.append($0) })
        #expect(found.files.map(\.outputName) == ["a.jsonl.out"] && found.totalRecords == 10)
        #expect(lines.contains { $0.contains("2 keys outside its prefix") } && lines.contains { $0.contains("1 keys more than once") })
    }

    @Test func aReadStopsAtTheDeclaredSize() {
        let base = MemoryStore(chunk: 64)
        base.put("s3://in-bucket/in/a.jsonl", records(0..<1000))
        let store = ListingStore(base: base, listing: [StoredObject(key: "in/a.jsonl", size: 10)])
        #expect {
            _ = try scan(store)
        } throws: { error in
            (error as? DataProblem)?.message.contains("in/a.jsonl served more than the 10 bytes its listing declared") == true
        }
    }

    @Test func aFailedWriteDiscardsTheFilesAlreadyWritten() throws {
        // given a job of two files whose results pass the output budget in the second
        let store = MemoryStore()
        store.put("s3://in-bucket/in/a.jsonl", records(0..<50))
        store.put("s3://in-bucket/in/b.jsonl", records(50..<100))
        let limits = DataLimits(minRecords: 1, maxOutputBytes: 6000)
        let found = try InputScanner(store: store, limits: limits).scan(folder, jobId: "job000000001", responder: TestResponder())
        // when the results are written
        #expect {
            _ = try OutputWriter(store: store, limits: limits).write(
                found, processed: 100, output: S3Location(bucket: "out-bucket", key: "out"), jobId: "job000000001", responder: TestResponder())
        } throws: { error in
            (error as? DataProblem)?.message.contains("output budget of 6000 bytes") == true
        }
        // then none of them is left
        #expect(store.objects.withLock { $0.keys.filter { $0.hasPrefix("s3://out-bucket/") } }.isEmpty)
    }
}
