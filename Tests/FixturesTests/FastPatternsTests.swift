import Fixtures
import Testing

/// The hand-written matchers answer exactly what the model's patterns answer.
@Suite struct FastPatternsTests {
    static let identifier = ServiceModel.shape("ModelInvocationJobIdentifier").pattern!
    static let arn = ServiceModel.shape("ModelInvocationJobArn").pattern!
    static let name = ServiceModel.shape("ModelInvocationJobName").pattern!

    static let crafted = [
        "", "abcdefghijkl", "ABCDEFGHIJKL", "abcdefghijk", "abcdefghijklm", "abc-efghijkl", "0a1b2c3d4e5f",
        "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdefghijkl",
        "arn:aws-cn:bedrock:cn-north-1:123456789012:model-invocation-job/abcdefghijkl",
        "arn:aws-:bedrock:us-east-1:123456789012:model-invocation-job/abcdefghijkl",
        "arn:aws-x:y:bedrock:us-east-1:123456789012:model-invocation-job/abcdefghijkl",
        "arn:aws:bedrock::123456789012:model-invocation-job/abcdefghijkl",
        "arn:aws:bedrock:a-very-long-region-name-x:123456789012:model-invocation-job/abcdefghijkl",
        "arn:aws:bedrock:us-east-1:12345678901:model-invocation-job/abcdefghijkl",
        "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdefghijk",
        "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdefghijklm",
        "arn:aws:bedrock:US-east-1:123456789012:model-invocation-job/abcdefghijkl",
        "my-job-name", "a", "a-", "a--b", "-a", ".a", "a.b+c-d", "a b", "job_1", String(repeating: "a", count: 63),
        String(repeating: "a", count: 64), "a" + String(repeating: "-", count: 62), "ä", "a\u{0}b",
    ]

    @Test(arguments: crafted)
    func craftedValuesAgree(text: String) {
        #expect(FastPatterns.isJobIdentifier(text) == ShapeRules.matchesByPattern(text, pattern: Self.identifier))
        #expect(FastPatterns.isJobArn(text) == ShapeRules.matchesByPattern(text, pattern: Self.arn))
        if let fast = FastPatterns.isJobName(text) { #expect(fast == ShapeRules.matchesByPattern(text, pattern: Self.name)) }
    }

    @Test func randomValuesAgree() {
        // Pieces of valid values, recombined and mutated: most results are near the boundary.
        let pieces = ["arn", ":", "aws", "-", "cn", "bedrock", "us-east-1", "123456789012", "12345", "model-invocation-job", "/",
                      "abcdefghijkl", "abc", "X", ".", "+", "_", " ", "9"]
        var generator = SplitMix64(seed: 20261123)
        for _ in 0..<4000 {
            var text = ""
            for _ in 0..<Int(generator.next() % 12) { text += pieces[Int(generator.next() % UInt64(pieces.count))] }
            #expect(FastPatterns.isJobIdentifier(text) == ShapeRules.matchesByPattern(text, pattern: Self.identifier), "\(text)")
            #expect(FastPatterns.isJobArn(text) == ShapeRules.matchesByPattern(text, pattern: Self.arn), "\(text)")
            if let fast = FastPatterns.isJobName(text) {
                #expect(fast == ShapeRules.matchesByPattern(text, pattern: Self.name), "\(text)")
            }
        }
    }
}
