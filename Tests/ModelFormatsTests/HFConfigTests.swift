import Foundation
import Testing
@testable import ModelFormats

@Suite struct HFConfigTests {
    private func config(_ name: String) throws -> LlamaConfig {
        try LlamaConfig(contentsOf: TestFiles.fixture("hfconfig/\(name).json"))
    }

    private func decode(_ json: String) throws -> LlamaConfig {
        try LlamaConfig(jsonData: Data(json.utf8), file: "test/config.json")
    }

    /// A minimal valid config; tests add or replace keys.
    static func minimal(_ extra: String = "") -> String {
        """
        {"model_type": "llama", "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
         "num_attention_heads": 4, "rms_norm_eps": 1e-6, "max_position_embeddings": 256,
         "vocab_size": 100\(extra.isEmpty ? "" : ", " + extra)}
        """
    }

    @Test func smolLM2() throws {
        let c = try config("smollm2-135m")
        #expect(c.modelType == .llama)
        #expect(c.architectures == ["LlamaForCausalLM"])
        #expect(c.hiddenSize == 576 && c.intermediateSize == 1536 && c.numHiddenLayers == 30)
        #expect(c.numAttentionHeads == 9 && c.numKeyValueHeads == 3 && c.headDim == 64 && c.queryGroupSize == 3)
        #expect(c.rmsNormEps == 1e-5 && c.ropeTheta == 100_000 && c.ropeScaling == nil)
        #expect(c.maxPositionEmbeddings == 8192 && c.vocabSize == 49152)
        #expect(c.tieWordEmbeddings && !c.attentionBias && !c.mlpBias && c.slidingWindow == nil)
        #expect(c.bosTokenIDs == [0] && c.eosTokenIDs == [0])
        #expect(c.hiddenAct == "silu" && c.torchDtype == "bfloat16")
    }

    @Test func llama31WithLlama3RopeScaling() throws {
        let c = try config("llama-3.1-8b-instruct")
        #expect(c.modelType == .llama)
        #expect(c.hiddenSize == 4096 && c.intermediateSize == 14336 && c.numHiddenLayers == 32)
        #expect(c.numAttentionHeads == 32 && c.numKeyValueHeads == 8 && c.headDim == 128)
        #expect(c.ropeTheta == 500_000 && c.maxPositionEmbeddings == 131_072 && c.vocabSize == 128_256)
        #expect(c.ropeScaling == .llama3(Llama3RopeScaling(
            factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192)))
        #expect(c.ropeScaling?.typeName == "llama3")
        #expect(!c.tieWordEmbeddings)
        #expect(c.bosTokenIDs == [128_000] && c.eosTokenIDs == [128_001, 128_008, 128_009])
    }

    @Test func mistral7B() throws {
        let c = try config("mistral-7b-v0.1")
        #expect(c.modelType == .mistral)
        #expect(c.hiddenSize == 4096 && c.numKeyValueHeads == 8 && c.headDim == 128)
        #expect(c.slidingWindow == 4096 && c.ropeTheta == 10_000 && c.vocabSize == 32_000)
        #expect(!c.attentionBias && !c.tieWordEmbeddings)
        #expect(c.bosTokenIDs == [1] && c.eosTokenIDs == [2])
    }

    @Test func qwen25HasQKVBiasAndNoActiveSlidingWindow() throws {
        let c = try config("qwen2.5-0.5b")
        #expect(c.modelType == .qwen2)
        #expect(c.hiddenSize == 896 && c.intermediateSize == 4864 && c.numHiddenLayers == 24)
        #expect(c.numAttentionHeads == 14 && c.numKeyValueHeads == 2 && c.headDim == 64)
        #expect(c.rmsNormEps == 1e-6 && c.ropeTheta == 1_000_000 && c.vocabSize == 151_936)
        #expect(c.attentionBias && c.tieWordEmbeddings)
        #expect(c.slidingWindow == nil) // use_sliding_window is false
    }

    /// transformers 5 writes `rope_parameters` (holding rope_theta) and `dtype`.
    @Test func transformers5ConfigFromTinyLlama() throws {
        let c = try LlamaConfig(contentsOf: TestFiles.fixture("safetensors/tiny-llama/config.json"))
        #expect(c.hiddenSize == 16 && c.headDim == 4 && c.numKeyValueHeads == 2 && c.numHiddenLayers == 2)
        #expect(c.ropeTheta == 10_000 && c.ropeScaling == nil)
        #expect(c.torchDtype == "bfloat16")
        #expect(c.bosTokenIDs == [1] && c.eosTokenIDs == [2])
    }

    /// The fixtures read the same through transformers (head_dim, kv heads, model type).
    @Test func fixturesAgreeWithTransformers() throws {
        struct Expected: Decodable { let head_dim: Int; let model_type: String; let num_key_value_heads: Int }
        struct Reference: Decodable { let expected: [String: Expected] }
        let reference = try TestFiles.readJSON(Reference.self, "hfconfig/rope_reference.json")
        #expect(reference.expected.count == 4)
        for (name, expected) in reference.expected {
            let c = try config(name)
            #expect(c.headDim == expected.head_dim, "\(name)")
            #expect(c.modelType.rawValue == expected.model_type, "\(name)")
            #expect(c.numKeyValueHeads == expected.num_key_value_heads, "\(name)")
        }
    }

    @Test func defaults() throws {
        let c = try decode(Self.minimal())
        #expect(c.numKeyValueHeads == 4 && c.headDim == 16)
        #expect(c.ropeTheta == 10_000 && c.ropeScaling == nil)
        #expect(!c.tieWordEmbeddings && !c.attentionBias && !c.mlpBias)
        #expect(c.bosTokenIDs.isEmpty && c.eosTokenIDs.isEmpty && c.torchDtype == nil && c.hiddenAct == "silu")
    }

    @Test func explicitHeadDimNeedNotDivideHidden() throws {
        // Mistral-Nemo-like: 5120 / 32 heads = 160, but head_dim is 128.
        let c = try decode(Self.minimal("\"head_dim\": 8").replacingOccurrences(of: "\"hidden_size\": 64", with: "\"hidden_size\": 66"))
        #expect(c.headDim == 8 && c.hiddenSize == 66)
        #expect(try decode(Self.minimal("\"head_dim\": null")).headDim == 16)
    }

    @Test func ropeScalingVariants() throws {
        func scaling(_ json: String) throws -> RopeScaling? {
            try decode(Self.minimal("\"rope_scaling\": \(json)")).ropeScaling
        }
        #expect(try scaling("null") == nil)
        #expect(try scaling("{\"rope_type\": \"default\"}") == nil)
        #expect(try scaling("{\"type\": \"linear\", \"factor\": 2}") == .linear(factor: 2))
        #expect(try scaling("{\"rope_type\": \"dynamic\", \"factor\": 4.0}") == .dynamic(factor: 4))
        #expect(try scaling("{\"rope_type\": \"llama3\", \"factor\": 32, \"low_freq_factor\": 1, \"high_freq_factor\": 4}")
            == .llama3(Llama3RopeScaling(factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 256)))
        #expect(try scaling("{\"type\": \"yarn\", \"factor\": 4.0, \"original_max_position_embeddings\": 64}")
            == .yarn(YarnRopeScaling(factor: 4, originalMaxPositionEmbeddings: 64)))
        #expect(try scaling("""
            {"rope_type": "yarn", "original_max_position_embeddings": 64, "beta_fast": 16, "beta_slow": 2,
             "mscale": 0.7, "mscale_all_dim": 1, "attention_factor": 1.2, "truncate": false}
            """) == .yarn(YarnRopeScaling(factor: 4, originalMaxPositionEmbeddings: 64, betaFast: 16, betaSlow: 2,
                                          mscale: 0.7, mscaleAllDim: 1, attentionFactor: 1.2, truncate: false)))
        // transformers 5: rope_parameters carries both the type and rope_theta.
        let c = try decode(Self.minimal("\"rope_parameters\": {\"rope_type\": \"linear\", \"factor\": 2, \"rope_theta\": 5e5}"))
        #expect(c.ropeScaling == .linear(factor: 2) && c.ropeTheta == 500_000)
    }

    @Test func tokenIDsAsIntListOrNull() throws {
        let c = try decode(Self.minimal("\"bos_token_id\": null, \"eos_token_id\": [5, 6]"))
        #expect(c.bosTokenIDs.isEmpty && c.eosTokenIDs == [5, 6])
    }

    @Test func slidingWindowPerModelType() throws {
        let qwen = Self.minimal("\"sliding_window\": 512, \"use_sliding_window\": true")
            .replacingOccurrences(of: "\"llama\"", with: "\"qwen2\"")
        #expect(try decode(qwen).slidingWindow == 512)
        let mistral = Self.minimal("\"sliding_window\": null").replacingOccurrences(of: "\"llama\"", with: "\"mistral\"")
        #expect(try decode(mistral).slidingWindow == nil)
        #expect(try decode(Self.minimal("\"sliding_window\": 512")).slidingWindow == nil) // llama ignores it
    }

    @Test func encodesBackToTheSameConfig() throws {
        var configs = try ["smollm2-135m", "llama-3.1-8b-instruct", "mistral-7b-v0.1", "qwen2.5-0.5b"].map(config)
        configs.append(try decode(Self.minimal("""
            "rope_scaling": {"rope_type": "yarn", "factor": 4, "original_max_position_embeddings": 64, "mscale": 0.7},
            "model_type": "qwen2", "use_sliding_window": true, "sliding_window": 128
            """).replacingOccurrences(of: "\"model_type\": \"llama\",", with: "")))
        configs.append(try decode(Self.minimal("\"rope_scaling\": {\"type\": \"dynamic\", \"factor\": 2}")))
        for original in configs {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try encoder.encode(original)
            #expect(try LlamaConfig(jsonData: data) == original, "\(String(decoding: data, as: UTF8.self))")
        }
    }
}
