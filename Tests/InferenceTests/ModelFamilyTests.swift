import Inference
import Testing

/// The family of a model id, of an inference profile and of ARNs of either.
@Suite struct ModelFamilyTests {
    @Test(arguments: [
        ("anthropic.claude-3-5-sonnet-20240620-v1:0", ModelFamily.anthropicClaude),
        ("us.anthropic.claude-3-5-sonnet-20240620-v1:0", .anthropicClaude),
        ("eu.anthropic.claude-3-7-sonnet-20250219-v1:0", .anthropicClaude),
        ("apac.anthropic.claude-sonnet-4-20250514-v1:0", .anthropicClaude),
        ("global.anthropic.claude-sonnet-4-5-20250929-v1:0", .anthropicClaude),
        ("us-gov.anthropic.claude-3-haiku-20240307-v1:0", .anthropicClaude),
        ("amazon.nova-pro-v1:0", .amazonNova),
        ("us.amazon.nova-lite-v1:0", .amazonNova),
        ("amazon.nova-canvas-v1:0", .unknown),
        ("amazon.nova-reel-v1:0", .unknown),
        ("amazon.titan-text-express-v1", .amazonTitanText),
        ("amazon.titan-text-premier-v1:0", .amazonTitanText),
        ("amazon.titan-embed-text-v1", .amazonTitanEmbedV1),
        ("amazon.titan-embed-g1-text-02", .amazonTitanEmbedV1),
        ("amazon.titan-embed-text-v2:0", .amazonTitanEmbedV2),
        ("amazon.titan-embed-image-v1", .unknown),
        ("meta.llama3-1-8b-instruct-v1:0", .metaLlama),
        ("us.meta.llama3-2-90b-instruct-v1:0", .metaLlama),
        ("mistral.mistral-7b-instruct-v0:2", .mistralText),
        ("mistral.mixtral-8x7b-instruct-v0:1", .mistralText),
        ("mistral.mistral-large-2402-v1:0", .mistralText),
        ("mistral.mistral-small-2402-v1:0", .mistralText),
        ("mistral.mistral-large-2407-v1:0", .mistralChat),
        ("us.mistral.pixtral-large-2502-v1:0", .mistralChat),
        ("cohere.embed-english-v3", .cohereEmbed),
        ("cohere.embed-multilingual-v3", .cohereEmbed),
        ("cohere.embed-v4:0", .cohereEmbed),
        ("cohere.command-r-v1:0", .unknown),
        ("openai.gpt-oss-120b-1:0", .openAIChat),
        ("deepseek.r1-v1:0", .openAIChat),
        ("us.deepseek.r1-v1:0", .openAIChat),
        ("qwen.qwen3-32b-v1:0", .openAIChat),
        ("ai21.jamba-1-5-large-v1:0", .unknown),
        ("", .unknown),
        ("nonsense", .unknown),
        ("us.", .unknown),
    ])
    func familyOfModelIds(modelId: String, family: ModelFamily) {
        #expect(ModelFamily.of(modelId: modelId) == family, "\(modelId)")
    }

    @Test(arguments: [
        ("arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0", ModelFamily.amazonTitanEmbedV2),
        ("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0", .anthropicClaude),
        ("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.meta.llama3-1-8b-instruct-v1:0", .metaLlama),
        ("arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.amazon.nova-micro-v1:0", .amazonNova),
        ("arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:inference-profile/us-gov.anthropic.claude-3-5-sonnet-20240620-v1:0", .anthropicClaude),
        // ARNs that hide their model.
        ("arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc123def456", .unknown),
        ("arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.titan-text-express-v1:0:8k/abcdefgh", .unknown),
        ("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abcdef123456", .unknown),
        ("arn:aws:bedrock:us-east-1:123456789012:imported-model/abcdef123456", .unknown),
        ("arn:aws:bedrock:us-east-1", .unknown),
        ("arn:", .unknown),
    ])
    func familyOfARNs(arn: String, family: ModelFamily) {
        #expect(ModelFamily.of(modelId: arn) == family, "\(arn)")
    }

    @Test func upperCaseIdsResolveToo() {
        #expect(ModelFamily.of(modelId: "US.Anthropic.Claude-3-Haiku-20240307-v1:0") == .anthropicClaude)
    }
}
