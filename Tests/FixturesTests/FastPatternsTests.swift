import Fixtures
import Testing
import ServiceModel

/// The hand-written matchers answer exactly what the model's patterns answer, and the linear-time
/// engine answers what Swift's `Regex` (the engine the mock used before) answers on short values.
@Suite struct FastPatternsTests {
    static let identifier = ServiceModel.shape("ModelInvocationJobIdentifier").pattern!
    static let arn = ServiceModel.shape("ModelInvocationJobArn").pattern!
    static let name = ServiceModel.shape("ModelInvocationJobName").pattern!
    static let token = ServiceModel.shape("ModelInvocationIdempotencyToken").pattern!

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
        // Past the length limits, where the counted groups decide: a job name of 63 letters may have
        // 63 more groups, a token of 256 may have 256.
        String(repeating: "a", count: 126), String(repeating: "a", count: 127), String(repeating: "a", count: 63) + String(repeating: "-", count: 40),
        String(repeating: "a", count: 63) + String(repeating: "-.", count: 62) + "-", String(repeating: "a", count: 63) + String(repeating: "-.", count: 63) + "-",
        String(repeating: "a", count: 63) + String(repeating: "-", count: 12) + "!", "nightly-eval--claude--haiku--dataset--v2--shard--0001--retry_final",
        String(repeating: "a", count: 512), String(repeating: "a", count: 513), String(repeating: "a", count: 256) + String(repeating: "-a", count: 256),
        String(repeating: "a", count: 256) + String(repeating: "-a", count: 257), "a-", "a--", "a-b-", "a+-",
    ]

    /// Each hand-written matcher answers what the linear-time engine answers on `text`.
    func expectAgreement(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(FastPatterns.isJobIdentifier(text) == ShapeRules.matchesByPattern(text, pattern: Self.identifier), "\(text)", sourceLocation: sourceLocation)
        #expect(FastPatterns.isJobArn(text) == ShapeRules.matchesByPattern(text, pattern: Self.arn), "\(text)", sourceLocation: sourceLocation)
        #expect(FastPatterns.isJobName(text) == ShapeRules.matchesByPattern(text, pattern: Self.name), "\(text)", sourceLocation: sourceLocation)
        #expect(FastPatterns.isIdempotencyToken(text) == ShapeRules.matchesByPattern(text, pattern: Self.token), "\(text)", sourceLocation: sourceLocation)
    }

    @Test(arguments: crafted)
    func craftedValuesAgree(text: String) {
        expectAgreement(text)
    }

    @Test func randomValuesAgree() {
        // Pieces of valid values, recombined and mutated: most results are near the boundary.
        let pieces = [
            "arn", ":", "aws", "-", "cn", "bedrock", "us-east-1", "123456789012", "12345", "model-invocation-job", "/",
            "abcdefghijkl", "abc", "X", ".", "+", "_", " ", "9", "--", String(repeating: "a", count: 40), String(repeating: "-b", count: 20),
        ]
        var generator = SplitMix64(seed: 20261123)
        for _ in 0..<4000 {
            var text = ""
            for _ in 0..<Int(generator.next() % 12) { text += pieces[Int(generator.next() % UInt64(pieces.count))] }
            expectAgreement(text)
        }
    }

    /// Every pattern of the model compiles for the linear-time engine.
    @Test func everyPatternCompiles() throws {
        for shape in ServiceModel.shapes.values {
            guard let pattern = shape.pattern else { continue }
            _ = try LinearPattern(pattern)
        }
    }

    /// On short values of pieces that every pattern is made of, the linear-time engine (PCRE2's DFA
    /// on code points) answers what Swift's `Regex` on code points answers.
    @Test func linearEngineAgreesWithRegex() throws {
        let pieces = [
            "arn", ":", "aws", "-", "cn", "bedrock", "kms", "iam", "role", "key", "alias", "us-east-1", "123456789012", "/",
            "model-invocation-job", "custom-model", "foundation-model", "inference-profile", "imported", "s3://", "my-bucket",
            "abcdefghijkl", "anthropic.claude", ".", "v1", "_", " ", "\t", "\n", "\r\n", "é", "\u{2028}", "@", "=", "A", "0", "$", "^",
        ]
        var generator = SplitMix64(seed: 20261201)
        for shape in ServiceModel.shapes.values.sorted(by: { $0.name < $1.name }) {
            guard let pattern = shape.pattern else { continue }
            let regex = try Regex(pattern).matchingSemantics(.unicodeScalar)
            for _ in 0..<300 {
                var text = ""
                for _ in 0..<Int(generator.next() % 10) { text += pieces[Int(generator.next() % UInt64(pieces.count))] }
                let expected = (try? regex.wholeMatch(in: text)) != nil
                #expect(ShapeRules.matchesByPattern(text, pattern: pattern) == expected, "\(shape.name): \(text.debugDescription)")
            }
        }
    }

    /// Values built to make a backtracking engine take exponential time, through every pattern of
    /// the model and the hand-written matchers, at 16 KiB and at four times that: a linear engine
    /// takes about four times as long (a quadratic one sixteen). The bound, ten, leaves room for
    /// noise; the smallest of three runs is taken. No match may fail inside PCRE2 either.
    @Test func adversarialValuesTakeLinearTime() {
        let units = ["a", "-", "a-", "-.", "0", ".", ":", "a:", "arn:aws-", "/", " ", "aa.", "a1.b2:", "alias/a", "key/"]
        let shapes = ServiceModel.shapes.values.filter { $0.pattern != nil }
        func seconds(_ size: Int) -> Double {
            let clock = ContinuousClock()
            var fastest = Double.infinity
            for _ in 0..<3 {
                let started = clock.now
                for shape in shapes {
                    for unit in units {
                        for tail in ["", "!"] {
                            let text = String(repeating: unit, count: size / unit.utf8.count) + tail
                            _ = ShapeRules.stringViolations(text, shape, ValuePath([.member("value")]))
                        }
                    }
                }
                let elapsed = clock.now - started
                fastest = min(fastest, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            }
            return fastest
        }
        let small = seconds(16_384)
        let large = seconds(65_536)
        #expect(large / small < 10, "16 KiB: \(small) s, 64 KiB: \(large) s")
        #expect(large < 30)
        #expect(LinearPattern.failures.load(ordering: .relaxed) == 0)
    }
}
