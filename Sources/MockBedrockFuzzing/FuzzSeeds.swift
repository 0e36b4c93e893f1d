/// Real inputs the fuzzer starts from (and `swift test` replays): each is a part byte and its input.
public enum FuzzSeeds {
    static let fixture = #"""
        {"jobs": [
          {"jobArn": "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/a1b2c3d4e5f6", "jobName": "fuzz-static",
           "modelId": "anthropic.claude-3-haiku-20240307-v1:0", "roleArn": "arn:aws:iam::123456789012:role/R", "status": "Completed",
           "submitTime": "2026-03-01T09:00:00Z", "endTime": "2026-03-01T09:30:00Z",
           "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://in-bucket/x.jsonl"}},
           "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/"}}},
          {"jobArn": "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/b1b2c3d4e5f6", "jobName": "fuzz-lifecycle",
           "modelId": "anthropic.claude-3-haiku-20240307-v1:0", "roleArn": "arn:aws:iam::123456789012:role/R", "outcome": "PartiallyCompleted",
           "submitTime": "2026-03-01T09:55:00Z", "tags": [{"key": "team", "value": "fuzz"}],
           "faults": [{"operation": "StopModelInvocationJob", "error": "ThrottlingException", "times": 1}],
           "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://in-bucket/x.jsonl"}},
           "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/"}}}
        ]}
        """#

    static let create =
        #"{"jobName": "fuzz-new", "roleArn": "arn:aws:iam::123456789012:role/R", "modelId": "anthropic.claude-3-haiku-20240307-v1:0", "clientRequestToken": "tok-1", "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://in-bucket/x"}}, "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/"}}, "timeoutDurationInHours": 24, "tags": [{"key": "mock-bedrock:outcome", "value": "Failed"}]}"#

    static let requests = [
        "GET /model-invocation-job/a1b2c3d4e5f6\namz-sdk-request: attempt=1; max=3\n\n",
        "GET /model-invocation-job/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Amodel-invocation-job%2Fb1b2c3d4e5f6\n\n",
        "HEAD /model-invocation-job/b1b2c3d4e5f6\n\n",
        "GET /model-invocation-jobs?maxResults=1&sortOrder=Ascending&nameContains=fuzz&statusEquals=Completed&submitTimeAfter=2026-01-01T00%3A00%3A00Z\n\n",
        "POST /model-invocation-job\ncontent-type: application/json\n\n" + create,
        "POST /model-invocation-job/b1b2c3d4e5f6/stop\n\n",
        "POST /tagResource\n\n" + #"{"resourceARN": "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/a1b2c3d4e5f6", "tags": [{"key": "k", "value": "v"}]}"#,
        "POST /untagResource\n\n" + #"{"resourceARN": "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/a1b2c3d4e5f6", "tagKeys": ["k"]}"#,
        "POST /listTagsForResource\n\n" + #"{"resourceARN": "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/b1b2c3d4e5f6"}"#,
        "GET /model-invocation-job/a1b2c3d4e5f6?mockError=ThrottlingException&mockDelayMs=5\nx-mock-fault: truncate\n\n",
        "GET /_mock/health\n\n",
        "POST /_mock/clock\n\n" + #"{"advance": "90m", "rate": 60}"#,
        "POST /_mock/faults\n\n" + #"{"operation": "Get*", "jobId": "a1b2*", "error": "InternalServerException", "probability": 0.5, "seed": 7, "times": 3}"#,
        "DELETE /_mock/faults/fault-1\n\n",
        "POST /_mock/reset\n\n{}",
        "GET /_mock/requests\n\n",
        "GET /model-invocation-job/a1b2c3d4e5f6\nauthorization: AWS4-HMAC-SHA256 Credential=210987654321/20260301/eu-west-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=00\nx-amz-date: 20260301T100000Z\nhost: localhost\n\n",
        // Issue 13's classes: odd credential scopes, long names, many keys, the ends of the clock.
        "POST /model-invocation-job\nauthorization: AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1:x/bedrock/aws4_request, SignedHeaders=host, Signature=00\n\n" + create,
        "POST /model-invocation-job\nauthorization: AWS4-HMAC-SHA256 Credential=AKID/20260101/US-EAST-1/bedrock/aws4_request, SignedHeaders=host, Signature=00\n\n" + create,
        "GET /model-invocation-job/a1b2c3d4e5f6\nauthorization: AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/s3/aws4_x, SignedHeaders=host, Signature=00\nx-amz-date: 20260102T000000Z\n\n",
        "GET /model-invocation-jobs?nameContains=" + String(repeating: "a", count: 63) + String(repeating: "-", count: 16) + "!\n\n",
        "POST /model-invocation-job\n\n" + create.replacingOccurrences("fuzz-new", "nightly-eval--claude--haiku--dataset--v2--shard--0001--retry_final"),
        "POST /model-invocation-job\n\n" + create.replacingOccurrences("tok-1", String(repeating: "a", count: 256) + String(repeating: "-", count: 300) + "!"),
        "POST /model-invocation-job\n\n" + create.replacingOccurrences("{", "{" + (0..<300).map { "\"k\($0)\":0," }.joined(), once: true),
        "POST /_mock/clock\n\n" + #"{"set": "9999-12-31T23:59:59.999Z"}"#,
        "POST /_mock/clock\n\n" + #"{"set": "9999-12-31T23:00:00-23:59", "advance": "1d"}"#,
        // An error message that echoes a time-like text (a false "year 10000" the fuzzer found once).
        "0000000000000009999-12-31T23:59:59.999Z /model-invocation-jobs?maxResults=1\n\n",
    ]

    static let patterns = [
        "a1b2c3d4e5f6", "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/a1b2c3d4e5f6",
        "arn:aws-cn:bedrock:cn-north-1:123456789012:model-invocation-job/a1b2c3d4e5f6", "nightly-summaries.v2+x", "A", "-bad",
        String(repeating: "a", count: 63) + String(repeating: "-", count: 16) + "!", "nightly-eval--claude--haiku--dataset--v2--shard--0001--retry_final",
        String(repeating: "a", count: 256) + String(repeating: "-a", count: 256), "arn:aws:bedrock:us-east-1::foundation-model/" + String(repeating: "a-", count: 40) + "!",
    ]

    /// Batch records for part 6: a model selector byte (an index into `FuzzInput.models`; 128 up is
    /// a Converse job), then the line. Issue 23's classes: long `$ref` pointers, cycles, deep nesting,
    /// merges, large constants, huge max tokens, Cohere Embed v4 at its limits.
    static let batchRecords: [(UInt8, String)] = {
        func claude(_ schema: String, maxTokens: String = "4096") -> String {
            #"{"recordId": "r1", "modelInput": {"anthropic_version": "bedrock-2023-05-31", "max_tokens": \#(maxTokens), "messages": [{"role": "user", "content": "Go"}], "tools": [{"name": "t", "input_schema": \#(schema)}]}}"#
        }
        let longPointer = "#" + String(repeating: "/", count: 2_000)
        // 28 levels of two objects each: the line stays within the parser's 64.
        var deep = #"{"type": "string"}"#
        for _ in 0..<28 { deep = #"{"type": "object", "properties": {"p": \#(deep)}, "required": ["p"]}"# }
        var merges = #"{"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}"#
        for _ in 0..<6 { merges = ##"{"allOf": [\##(merges), {"$ref": "#"}]}"## }
        let texts = (0..<96).map { "\"t\($0)\"" }.joined(separator: ",")
        let openAI =
            #"{"modelInput": {"messages": [{"role": "user", "content": "Go"}], "max_tokens": 3, "tools": [{"type": "function", "function": {"name": "f", "parameters": \#(ToolCallSeeds.invoice)}}]}}"#
        let cycle =
            ##"{"$ref": "#/$defs/a", "$defs": {"a": {"type": "array", "minItems": 64, "items": {"$ref": "#/$defs/b"}}, "b": {"type": "object", "properties": {"x": {"$ref": "#/$defs/a"}}, "required": ["x"]}}}"##
        let values =
            ##"{"type": "array", "minItems": 64, "items": {"enum": [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, "long", "values", {"k": "v"}]]}, "prefixItems": [{"const": {"a": [true, null]}}]}"##
        let nova =
            #"{"modelInput": {"messages": [{"role": "user", "content": [{"text": "Go"}]}], "inferenceConfig": {"maxTokens": 30}, "toolConfig": {"tools": [{"toolSpec": {"name": "t", "inputSchema": {"json": \#(ToolCallSeeds.invoice)}}}]}}}"#
        let converse =
            #"{"recordId": "c", "modelInput": {"messages": [{"role": "user", "content": [{"text": "Go"}]}], "toolConfig": {"tools": [{"toolSpec": {"name": "t", "inputSchema": {"json": {"type": "array", "minItems": 64, "items": {"type": "string", "minLength": 4096}}}}}]}}}"#
        let cohereTypes =
            #"{"modelInput": {"texts": ["a", "b"], "input_type": "clustering", "output_dimension": 1536, "embedding_types": ["float", "int8", "uint8", "binary", "ubinary"], "truncate": "LEFT"}}"#
        return [
            (0, claude(#"{"type": "array", "minItems": 64, "items": {"$ref": "\#(longPointer)"}}"#)),
            (0, claude(cycle)),
            (0, claude(deep)),
            (0, claude(merges)),
            (0, claude(values, maxTokens: "1000000000")),
            (0, claude(ToolCallSeeds.invoice, maxTokens: "20")),
            (1, nova),
            (128, converse),
            (10, openAI),
            (7, openAI),
            (9, #"{"modelInput": {"texts": [\#(texts)], "input_type": "search_document", "output_dimension": 256}}"#),
            (9, cohereTypes),
            (9, #"{"modelInput": {"texts": ["a"], "input_type": "clustering", "output_dimension": 100}}"#),
            (4, #"{"modelInput": {"inputText": "hello", "dimensions": 256, "embeddingTypes": ["binary", "float"]}}"#),
            (5, #"{"modelInput": {"prompt": "Go", "max_gen_len": 5}}"#),
            (0, #"{"modelInput": {"anthropic_version": 1, "max_tokens": 0, "messages": [{}, {"role": "system"}, 5]}}"#),
        ]
    }()

    /// S3's answers, as S3 writes them and as a hostile endpoint could (issue 23: sizes past 5 TiB,
    /// deep and wide documents, other encodings, declarations); each under libFuzzer's -max_len.
    static let s3Answers: [[UInt8]] = {
        let root = "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        let contents =
            "<Contents><Key>in/a&amp;b.jsonl</Key><LastModified>2026-03-01T12:00:00.000Z</LastModified><ETag>&quot;9b2c&quot;</ETag>"
            + "<Size>1024</Size><StorageClass>STANDARD</StorageClass></Contents>"
        let texts = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + root
                + "<Name>bucket</Name><Prefix>in/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>" + contents
                + "<Contents><Key><![CDATA[in/<cdata>.jsonl]]></Key><Size>0</Size></Contents><!-- c -->"
                + "<NextContinuationToken>1ueGcxLPRx1Tr/XYE=</NextContinuationToken></ListBucketResult>",
            root + "<IsTruncated>false</IsTruncated><Contents><Key>in/huge.jsonl</Key><Size>5497558138881</Size></Contents></ListBucketResult>",
            root + "<Contents><Key>k</Key><Size>9223372036854775807</Size></Contents><Contents><Key>k2</Key><Size>5497558138880</Size></Contents></ListBucketResult>",
            root + String(repeating: "<a>", count: 300) + String(repeating: "</a>", count: 300) + "</ListBucketResult>",
            "<ListBucketResult" + (0..<20).map { " xmlns:p\($0)=\"urn:\($0)\"" }.joined() + "><Contents><Key>k</Key><Size>1</Size></Contents></ListBucketResult>",
            root + String(repeating: "<a/>x<![CDATA[y]]>", count: 300) + "</ListBucketResult>",
            root + String(repeating: "<Contents><Key>k</Key><Size>1</Size></Contents>", count: 120) + "</ListBucketResult>",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>"
                + "<RequestId>4442587FB7D0A2F9</RequestId></Error>",
            "<?xml version=\"1.0\"?><!DOCTYPE Error [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]><Error><Code>&b;</Code></Error>",
            "<Error a='x>' b=\"=\"><Code>C&#x3C;&#60;</Code><?pi data?></Error>",
            "<CompleteMultipartUploadResult><Location>l</Location></CompleteMultipartUploadResult>",
        ]
        return texts.map { Array($0.utf8) } + [
            [0xFF, 0xFE] + Array("<\0E\0r\0r\0o\0r\0/\0>\0".utf8),
            [0xEF, 0xBB, 0xBF] + Array("<Error><Code>C\u{00E9}</Code></Error>".utf8) + [0xC3, 0x28],
        ]
    }()

    /// A dictionary for libFuzzer (`-dict`): the words these inputs are made of.
    public static let dictionary = [
        "Credential=", "AWS4-HMAC-SHA256 ", "/aws4_request", "/bedrock/", "/us-east-1/", "authorization: ", "x-amz-date: ",
        "20260301T100000Z", "9999-12-31T23:59:59.999Z", "0001-01-01T00:00:00Z", "+23:59", "-23:59", "\"set\": ", "\"advance\": ",
        "nameContains=", "\"jobName\": ", "\"clientRequestToken\": ", "--------", "\"k\":0,", "arn:aws:bedrock:", ":model-invocation-job/",
        "\"$ref\": ", "\"#/$defs/", "\"allOf\": [", "\"anyOf\": [", "\"minItems\": ", "\"required\": [", "\"properties\": {", "\"enum\": [",
        "\"max_tokens\": ", "\"output_dimension\": ", "\"embedding_types\": [",
        "<Contents>", "</Contents>", "<Key>", "</Key>", "<Size>", "</Size>", "<IsTruncated>", "<NextContinuationToken>", "<Error><Code>",
        "</Code></Error>", "<![CDATA[", "]]>", "<!--", "-->", "<?xml version=\"1.0\"?>", " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"",
        "&amp;", "&#x3C;", "5497558138881", "<!DOCTYPE ",
    ]

    /// Every seed, with its part byte first.
    public static let all: [[UInt8]] = {
        var seeds: [[UInt8]] = []
        func add(_ part: FuzzInput.Part, _ text: String) { seeds.append([part.rawValue] + Array(text.utf8)) }
        add(.json, #"{"a": [1, -2.5e3, true, null, "\u00e9\ud83d\ude00"], "b": {"c": "d"}}"#)
        add(.json, create)
        add(.fixture, fixture)
        add(
            .fixture,
            #"{"jobArn": "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/c1b2c3d4e5f6", "lifecycle": [{"status": "Submitted", "for": "1m"}, {"status": "InProgress", "polls": 2, "processedRecordCount": 5}, {"status": "Completed"}]}"#
        )
        for request in requests { add(.request, request) }
        for text in patterns { add(.patterns, text) }
        add(.sigV4, requests.last!)
        for (model, line) in batchRecords { seeds.append([FuzzInput.Part.batchRecord.rawValue, model] + Array(line.utf8)) }
        for answer in s3Answers { seeds.append([FuzzInput.Part.s3Answer.rawValue] + answer) }
        return seeds
    }()
}

/// The tool schema of the invoice tests (Tests/InferenceTests/ToolCallTests.swift), shortened.
enum ToolCallSeeds {
    static let invoice =
        ##"{"type": "object", "required": ["invoice", "status", "lines"], "properties": {"invoice": {"type": "string", "minLength": 12}, "status": {"enum": ["paid", "open"]}, "lines": {"type": "array", "minItems": 2, "items": {"$ref": "#/definitions/line"}}}, "definitions": {"line": {"type": "object", "required": ["sku"], "properties": {"sku": {"type": "string"}, "quantity": {"type": "integer", "minimum": 1}}}}}"##
}

extension String {
    /// `self` with `target` replaced by `replacement` (all of them, or the first), without Foundation.
    public func replacingOccurrences(_ target: String, _ replacement: String, once: Bool = false) -> String {
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
            if once { break }
        }
        return result + rest
    }
}
