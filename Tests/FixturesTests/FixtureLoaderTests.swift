import Fixtures
import Testing
import JSON
import ServiceModel

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct FixtureLoaderTests {
    let identifierPattern = ServiceModel.shape("ModelInvocationJobArn").pattern!
    let s3Pattern = ServiceModel.shape("S3Uri").pattern!

    private func problems(_ bytes: [UInt8], file: String = "fixtures/jobs.json") -> [String] {
        FixtureLoader.decode(bytes, file: file).1.map(\.description)
    }

    @Test func decodesEveryMemberOfAValidJob() throws {
        // when
        let (jobs, errors) = FixtureLoader.decode(FixtureSamples.file(FixtureSamples.job), file: "f.json")
        // then
        #expect(errors.isEmpty)
        let record = try #require(jobs.first?.record)
        #expect(record.jobId == "a1b2c3d4e5f6")
        #expect(record.status == .completed)
        #expect(record.submitTime.description == "2026-03-01T10:00:00.123Z")
        #expect(record.lastModifiedTime?.description == "2026-03-01T12:00:00Z")
        #expect(record.inputDataConfig == .init(s3Uri: "s3://in-bucket/input/records.jsonl", s3InputFormat: "JSONL"))
        #expect(record.vpcConfig == .init(subnetIds: ["subnet-0a1b2c"], securityGroupIds: ["sg-0a1b2c"]))
        #expect(record.timeoutDurationInHours == 24)
        #expect(record.errorRecordCount == 1)
        #expect(jobs.first?.location.description == "f.json: jobs[0]")
    }

    @Test func writesTheRecordBackAsTheGetResponseItCameFrom() throws {
        // given
        let (jobs, _) = FixtureLoader.decode(FixtureSamples.bytes(FixtureSamples.job), file: "f.json")
        // when
        var writer = JSONWriter()
        try #require(jobs.first).record.writeJSON(to: &writer)
        // then: same members, same order, same values, same timestamp precision
        #expect(try JSONParser.parse(writer.bytes) == FixtureSamples.job)
    }

    @Test func acceptsASingleJobObjectAndIgnoresResponseMetadata() {
        // given
        let pasted = FixtureSamples.job(setting: ["ResponseMetadata"], to: .object([JSONMember("HTTPStatusCode", .number("200"))]))
        // when
        let (jobs, errors) = FixtureLoader.decode(FixtureSamples.bytes(pasted), file: "one.json")
        // then
        #expect(errors.isEmpty)
        #expect(jobs.first?.location.description == "one.json")
    }

    @Test func reportsAPatternViolationWithFileAndJSONPath() {
        let bad = FixtureSamples.job(setting: ["inputDataConfig", "s3InputDataConfig", "s3Uri"], to: .string("S3://Bad"))
        #expect(
            problems(FixtureSamples.file(FixtureSamples.job(id: "000000000000"), bad)) == [
                "fixtures/jobs.json: jobs[1].inputDataConfig.s3InputDataConfig.s3Uri: Value 'S3://Bad' failed to satisfy constraint: "
                    + "Member must satisfy regular expression pattern: \(s3Pattern)"
            ])
    }

    @Test(
        arguments: [
            (
                ["jobName"], JSONValue.string(String(repeating: "a", count: 64)),
                "jobs[0].jobName: Value '\(String(repeating: "a", count: 64))' failed to satisfy constraint: Member must have length less than or equal to 63"
            ),
            (
                ["status"], .string("Running"),
                "jobs[0].status: Value 'Running' failed to satisfy constraint: Member must satisfy enum value set: "
                    + "[Submitted, InProgress, Completed, Failed, Stopping, Stopped, PartiallyCompleted, Expired, Validating, Scheduled]"
            ),
            (
                ["timeoutDurationInHours"], .number("999"),
                "jobs[0].timeoutDurationInHours: Value '999' failed to satisfy constraint: Member must have value less than or equal to 168"
            ),
            (
                ["timeoutDurationInHours"], .number("1"),
                "jobs[0].timeoutDurationInHours: Value '1' failed to satisfy constraint: Member must have value greater than or equal to 24"
            ),
            (
                ["totalRecordCount"], .number("-1"),
                "jobs[0].totalRecordCount: Value '-1' failed to satisfy constraint: Member must have value greater than or equal to 0"
            ),
            (["totalRecordCount"], .number("1.5"), "jobs[0].totalRecordCount: expected a whole number, found a number"),
            (["jobName"], .number("7"), "jobs[0].jobName: expected a string, found a number"),
            (
                ["modelInvocationType"], .string("Batch"),
                "jobs[0].modelInvocationType: Value 'Batch' failed to satisfy constraint: Member must satisfy enum value set: [InvokeModel, Converse]"
            ),
            (["roleArn"], nil, "jobs[0].roleArn: required member is missing"),
            (["jobName"], nil, "jobs[0].jobName: required member is missing"),
            (
                ["submitTime"], .string("yesterday"),
                "jobs[0].submitTime: 'yesterday' is not an ISO 8601 timestamp with a UTC offset (e.g. 2026-03-01T10:00:00.123Z)"
            ),
            (["endTime"], .number("1772359200"), "jobs[0].endTime: expected an ISO 8601 timestamp string, found a number"),
            (["owner"], .string("me"), "jobs[0].owner: unknown member (not in the service model's shape)"),
            (
                ["outputDataConfig", "s3OutputDataConfig", "s3EncryptionKeyId"], .string("not a key"),
                "jobs[0].outputDataConfig.s3OutputDataConfig.s3EncryptionKeyId: Value 'not a key' failed to satisfy constraint: "
                    + "Member must satisfy regular expression pattern: \(ServiceModel.shape("KmsKeyId").pattern!)"
            ),
            (
                ["inputDataConfig", "s3InputDataConfig", "s3BucketOwner"], .string("12345"),
                "jobs[0].inputDataConfig.s3InputDataConfig.s3BucketOwner: Value '12345' failed to satisfy constraint: "
                    + "Member must satisfy regular expression pattern: [0-9]{12}"
            ),
            (
                ["inputDataConfig"], .object([]),
                "jobs[0].inputDataConfig: exactly one of s3InputDataConfig must be set, found none"
            ),
            (
                ["inputDataConfig", "s3InputDataConfig", "s3Uri"], nil,
                "jobs[0].inputDataConfig.s3InputDataConfig.s3Uri: required member is missing"
            ),
            (
                ["vpcConfig", "securityGroupIds"], .array([]),
                "jobs[0].vpcConfig.securityGroupIds: Value '[]' failed to satisfy constraint: Member must have length greater than or equal to 1"
            ),
            (
                ["vpcConfig", "subnetIds"], .array(Array(repeating: .string("subnet-1"), count: 17)),
                "jobs[0].vpcConfig.subnetIds: Value '[\(Array(repeating: "subnet-1", count: 17).joined(separator: ", "))]' failed to satisfy constraint: "
                    + "Member must have length less than or equal to 16"
            ),
            (
                ["vpcConfig", "subnetIds"], .array([.string("subnet-1"), .string("subnet_2")]),
                "jobs[0].vpcConfig.subnetIds[1]: Value 'subnet_2' failed to satisfy constraint: Member must satisfy regular expression pattern: [-0-9a-zA-Z]+"
            ),
        ] as [([String], JSONValue?, String)])
    func reportsEachRuleBrokenWithItsPath(path: [String], value: JSONValue?, expected: String) {
        #expect(problems(FixtureSamples.file(FixtureSamples.job(setting: path, to: value))) == ["fixtures/jobs.json: " + expected])
    }

    @Test func reportsAnUnknownUnionMemberAndTheUnionRule() {
        let two = FixtureSamples.job(setting: ["outputDataConfig", "s3Output"], to: .object([]))
        #expect(
            problems(FixtureSamples.file(two)) == [
                "fixtures/jobs.json: jobs[0].outputDataConfig.s3Output: unknown member (not in the service model's shape)"
            ])
    }

    @Test func reportsEveryProblemOfAJobAtOnce() {
        let bad = FixtureSamples.job(setting: ["status"], to: .string("Done"))
        let worse = FixtureSamples.job(setting: ["status"], to: .string("Done")).replacing("modelId", with: .string(""))
        #expect(problems(FixtureSamples.file(bad)).count == 1)
        #expect(problems(FixtureSamples.file(worse)).count == 3)  // enum, length >= 1, pattern
    }

    @Test func rejectsAJobArnThatIsNotAJobArn() {
        let bad = FixtureSamples.job(setting: ["jobArn"], to: .string("arn:aws:bedrock:us-east-1:12345678901:model-invocation-job/a1b2c3d4e5f6"))
        #expect(
            problems(FixtureSamples.file(bad)) == [
                "fixtures/jobs.json: jobs[0].jobArn: Value 'arn:aws:bedrock:us-east-1:12345678901:model-invocation-job/a1b2c3d4e5f6' "
                    + "failed to satisfy constraint: Member must satisfy regular expression pattern: \(identifierPattern)"
            ])
    }

    @Test func reportsInvalidJSONWithLineAndColumn() {
        #expect(
            problems(Array("{\"jobs\": [\n  {\"jobArn\": }\n]}".utf8)) == [
                "fixtures/jobs.json: invalid JSON at line 2, column 14: unexpected character '}', expected a value"
            ])
    }

    @Test func rejectsAFileShapeThatIsNeitherAJobNorAJobList() {
        #expect(
            problems(Array(#"{"jobs": {}, "extra": 1}"#.utf8)) == [
                "fixtures/jobs.json: extra: unknown member (a file holds one job object or {\"jobs\": [...]})",
                "fixtures/jobs.json: jobs: expected an array of job objects, found an object",
            ])
        #expect(problems(Array("[]".utf8)) == ["fixtures/jobs.json: $: expected an object, found an array"])
    }

    @Test func loadsADirectoryInNameOrderAndNamesBothPlacesOfADuplicateId() throws {
        // given
        let directory = try TemporaryDirectory()
        try directory.write("b.json", FixtureSamples.file(FixtureSamples.job(id: "000000000001"), FixtureSamples.job(id: "000000000002")))
        try directory.write("a.json", FixtureSamples.bytes(FixtureSamples.job(id: "000000000002")))
        try directory.write("notes.txt", Array("not a fixture".utf8))
        // when
        let error = #expect(throws: FixtureLoadError.self) { try FixtureLoader.load(path: directory.path) }
        // then
        #expect(
            error?.errors.map(\.description) == [
                "\(directory.path)/b.json: jobs[1].jobArn: job id '000000000002' is already defined at \(directory.path)/a.json"
            ])
    }

    @Test func refusesWhatIsNotARegularFileWithoutWaitingForIt() throws {
        let directory = try TemporaryDirectory()
        try directory.write("a.json", FixtureSamples.bytes(FixtureSamples.job(id: "000000000001")))
        #expect(mkfifo(directory.path + "/b.json", 0o600) == 0)
        let error = #expect(throws: FixtureLoadError.self) { try FixtureLoader.load(path: directory.path) }
        #expect(
            error?.errors.map(\.description) == [
                "\(directory.path)/b.json: not a regular file (a FIFO); fixtures are read from regular files only"
            ])
        let device = #expect(throws: FixtureLoadError.self) { try FixtureLoader.load(path: "/dev/zero") }
        #expect(device?.description == "/dev/zero: not a regular file (a character device); fixtures are read from regular files only")
    }

    @Test func namesAByteOrderMark() {
        #expect(
            problems([0xEF, 0xBB, 0xBF] + FixtureSamples.bytes(FixtureSamples.job(id: "000000000001"))) == [
                "fixtures/jobs.json: invalid JSON at line 1, column 1: the file starts with a UTF-8 byte order mark (BOM); save it as UTF-8 without a BOM"
            ])
    }

    /// A file of many bad jobs keeps its first problems and counts the rest in one line.
    @Test func keepsTheFirstProblemsOfAFileAndCountsTheRest() {
        var jobs: [String] = []
        for index in 0..<250 {
            jobs.append(
                #"{"jobArn": "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/\#(String(repeating: "0", count: 12 - String(index).count) + String(index))", "jobName": "j", "#
                    + #""modelId": "m", "roleArn": "x", "submitTime": "2026-03-01T10:00:00Z", "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://bucket/x"}}, "#
                    + #""outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://bucket/y"}}}"#)
        }
        let (_, errors) = FixtureLoader.decode(Array(("{\"jobs\": [" + jobs.joined(separator: ",") + "]}").utf8), file: "f.json")
        #expect(errors.count == FixtureLoader.problemsKeptPerFile + 1)
        #expect(errors.last?.description == "f.json: ... and 150 more problems in this file")
        #expect(FixtureLoadError(errors: errors).count == 250)
    }

    @Test func reportsAMissingDirectory() {
        let error = #expect(throws: FixtureLoadError.self) { try FixtureLoader.load(path: "/nonexistent/fixtures") }
        #expect(error?.description == "/nonexistent/fixtures: cannot read fixtures: No such file or directory")
    }

    @Test func bundledFixturesLoadAndCoverEveryStatus() throws {
        // given: the package root is two levels above this file's folder
        let root = String(#filePath.split(separator: "/").dropLast(3).joined(separator: "/"))
        // when
        let jobs = try FixtureLoader.load(path: "/" + root + "/fixtures", defaultSubmitTime: Timestamp(milliseconds: 0))
        // then
        #expect(Set(jobs.compactMap(\.record.status)) == Set(JobStatus.allCases))
        #expect(jobs.contains { $0.record.vpcConfig != nil })
        #expect(jobs.contains { $0.record.outputDataConfig.s3EncryptionKeyId != nil })
        #expect(Set(jobs.map { $0.record.jobArn.split(separator: ":")[3] }).count > 1)
        #expect(Set(jobs.map { $0.record.jobArn.split(separator: ":")[4] }).count > 1)
        #expect(jobs.filter { $0.record.status == .failed }.allSatisfy { $0.record.message != nil })
    }
}

extension JSONValue {
    func replacing(_ key: String, with value: JSONValue) -> JSONValue {
        guard case .object(let members) = self else { return self }
        return .object(members.map { $0.key == key ? JSONMember(key, value) : $0 })
    }
}

/// A directory under /tmp removed when the value goes away.
final class TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/mock-bedrock-test-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else { throw POSIXFailure() }
        path = String(cString: created)
    }

    func write(_ name: String, _ bytes: [UInt8]) throws {
        let descriptor = open(path + "/" + name, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw POSIXFailure() }
        defer { close(descriptor) }
        guard bytes.withUnsafeBytes({ Glibc.write(descriptor, $0.baseAddress, $0.count) }) == bytes.count else { throw POSIXFailure() }
    }

    deinit {
        if let directory = opendir(path) {
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
                if name != ".", name != ".." { unlink(path + "/" + name) }
            }
            closedir(directory)
        }
        rmdir(path)
    }
}

struct POSIXFailure: Error {
    let code = errno
}

@Suite struct StringInternerTests {
    @Test func keepsOneCopyOfRepeatedValuesWithoutChangingAnyRecord() throws {
        // given: two jobs that share every value but their ids
        let bytes = FixtureSamples.file(FixtureSamples.job(id: "a1b2c3d4e5f6"), FixtureSamples.job(id: "z9y8x7w6v5u4"))
        // when
        let (jobs, errors) = FixtureLoader.decode(bytes, file: "jobs.json")
        let (alone, _) = FixtureLoader.decode(FixtureSamples.file(FixtureSamples.job), file: "one.json")
        // then: the records are what they were without interning
        #expect(errors.isEmpty)
        #expect(jobs.count == 2)
        #expect(jobs[0].record == alone[0].record)
        #expect(jobs[1].record.roleArn == alone[0].record.roleArn)
        #expect(jobs[1].record.inputDataConfig == alone[0].record.inputDataConfig)
    }

    @Test func returnsTheFirstCopyOfAnEqualString() {
        var interner = StringInterner()
        let first = interner(String(repeating: "r", count: 40))
        let again = interner(String(repeating: "r", count: 40))
        let firstAddress = first.utf8.withContiguousStorageIfAvailable { $0.baseAddress }
        let againAddress = again.utf8.withContiguousStorageIfAvailable { $0.baseAddress }
        #expect(firstAddress != nil && firstAddress == againAddress)
        #expect(interner(["subnet-0a1f2e3d4c5b6a798", "x"]) == ["subnet-0a1f2e3d4c5b6a798", "x"])
        #expect(interner("short") == "short")
    }
}
