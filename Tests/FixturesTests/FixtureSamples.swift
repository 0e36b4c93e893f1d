import Fixtures
import JSON

/// A valid fixture job and ways to break it, for the fixture tests.
enum FixtureSamples {
    static let jobText = #"""
        {
          "jobArn": "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/a1b2c3d4e5f6",
          "jobName": "nightly-summaries",
          "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
          "clientRequestToken": "9e2f7b4c-1a6d-4c83-b5e0-7d3a9f1c6e48",
          "roleArn": "arn:aws:iam::123456789012:role/BedrockBatchRole",
          "status": "Completed",
          "submitTime": "2026-03-01T10:00:00.123Z",
          "lastModifiedTime": "2026-03-01T12:00:00Z",
          "endTime": "2026-03-01T12:00:00Z",
          "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://in-bucket/input/records.jsonl", "s3InputFormat": "JSONL"}},
          "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/output/"}},
          "vpcConfig": {"subnetIds": ["subnet-0a1b2c"], "securityGroupIds": ["sg-0a1b2c"]},
          "timeoutDurationInHours": 24,
          "jobExpirationTime": "2026-03-02T10:00:00.123Z",
          "modelInvocationType": "Converse",
          "totalRecordCount": 100,
          "processedRecordCount": 100,
          "successRecordCount": 99,
          "errorRecordCount": 1
        }
        """#

    static var job: JSONValue { try! JSONParser.parse(jobText) }

    /// The job with the member at `path` replaced (or removed when `value` is nil).
    static func job(setting path: [String], to value: JSONValue?) -> JSONValue {
        set(job, path[...], value)
    }

    static func job(id: String) -> JSONValue {
        job(setting: ["jobArn"], to: .string("arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/\(id)"))
    }

    static func file(_ jobs: JSONValue...) -> [UInt8] {
        var writer = JSONWriter()
        writer.write(.object([JSONMember("jobs", .array(jobs))]))
        return writer.bytes
    }

    static func bytes(_ value: JSONValue) -> [UInt8] {
        var writer = JSONWriter()
        writer.write(value)
        return writer.bytes
    }

    private static func set(_ value: JSONValue, _ path: ArraySlice<String>, _ replacement: JSONValue?) -> JSONValue {
        guard let key = path.first, case .object(var members) = value else { return replacement ?? .null }
        let rest = path.dropFirst()
        if let index = members.firstIndex(where: { $0.key == key }) {
            if rest.isEmpty, replacement == nil {
                members.remove(at: index)
            } else {
                members[index].value = set(members[index].value, rest, replacement)
            }
        } else if let replacement {
            members.append(JSONMember(key, rest.isEmpty ? replacement : set(.object([]), rest, replacement)))
        }
        return .object(members)
    }
}
