import Foundation
import Testing
@testable import ModelFormats

/// Inverse frequencies against transformers' `ROPE_INIT_FUNCTIONS` (Fixtures/hfconfig/rope_reference.json).
@Suite struct HFConfigRopeTests {
    struct Case: Decodable {
        let ropeType: String
        let sequenceLength: Int?
        let invFreqBits: [UInt32]
        let attentionScaling: Double

        enum CodingKeys: String, CodingKey {
            case ropeType = "rope_type", sequenceLength = "sequence_length"
            case invFreqBits = "inv_freq_bits", attentionScaling = "attention_scaling"
        }
    }

    struct Reference: Decodable { let configs: [String: Case] }

    /// Variants built on the SmolLM2 config with max_position_embeddings 2048 (see the fixture script).
    static let variants: [String: String] = [
        "linear": #"{"rope_type": "linear", "factor": 4.0}"#,
        "dynamic": #"{"type": "dynamic", "factor": 2.0}"#,
        "dynamic-6000": #"{"type": "dynamic", "factor": 2.0}"#,
        "yarn": #"{"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 512}"#,
        "yarn-mscale": #"""
            {"rope_type": "yarn", "factor": 8.0, "original_max_position_embeddings": 256, "beta_fast": 16,
             "beta_slow": 2, "mscale": 0.707, "mscale_all_dim": 1.0}
            """#,
        "llama3-custom": #"""
            {"rope_type": "llama3", "factor": 16.0, "low_freq_factor": 2.0, "high_freq_factor": 8.0,
             "original_max_position_embeddings": 1024}
            """#,
    ]

    private func config(named name: String) throws -> LlamaConfig {
        if let scaling = Self.variants[name] {
            var json = try String(contentsOfFile: TestFiles.fixture("hfconfig/smollm2-135m.json"), encoding: .utf8)
            json = json.replacingOccurrences(of: "\"rope_scaling\": null", with: "\"rope_scaling\": \(scaling)")
                .replacingOccurrences(of: "\"max_position_embeddings\": 8192", with: "\"max_position_embeddings\": 2048")
            return try LlamaConfig(jsonData: Data(json.utf8))
        }
        return try LlamaConfig(contentsOf: TestFiles.fixture("hfconfig/\(name).json"))
    }

    @Test func matchesTransformers() throws {
        let reference = try TestFiles.readJSON(Reference.self, "hfconfig/rope_reference.json")
        #expect(reference.configs.count == 10)
        for (name, expected) in reference.configs {
            let config = try config(named: name)
            #expect((config.ropeScaling?.typeName ?? "default") == expected.ropeType, "\(name)")
            let rope = RopeFrequencies(config: config, sequenceLength: expected.sequenceLength)
            let want = TestFiles.floats(expected.invFreqBits)
            #expect(rope.inverseFrequencies.count == want.count, "\(name)")
            // Same f32 steps as PyTorch; pow may differ by an ulp between libm and PyTorch's kernels.
            for (i, (ours, theirs)) in zip(rope.inverseFrequencies, want).enumerated() {
                #expect(abs(ours - theirs) <= 2 * theirs.ulp, "\(name)[\(i)]: \(ours) vs \(theirs)")
            }
            #expect(abs(Double(rope.attentionScaling) - expected.attentionScaling) < 1e-6, "\(name)")
        }
    }

    @Test func llama3KeepsHighAndDividesLowFrequencies() throws {
        let config = try config(named: "llama-3.1-8b-instruct")
        let scaled = RopeFrequencies(config: config).inverseFrequencies
        let plain = RopeFrequencies(headDim: 128, ropeTheta: 500_000, scaling: nil, maxPositionEmbeddings: 131_072)
            .inverseFrequencies
        #expect(scaled.count == 64)
        #expect(scaled[0] == plain[0])
        #expect(scaled[63] == plain[63] / 8)
    }

    @Test func linearDividesAndDynamicOnlyActsBeyondMaxPositions() {
        let plain = RopeFrequencies(headDim: 64, ropeTheta: 10_000, scaling: nil, maxPositionEmbeddings: 2048)
        let linear = RopeFrequencies(headDim: 64, ropeTheta: 10_000, scaling: .linear(factor: 4), maxPositionEmbeddings: 2048)
        #expect(linear.inverseFrequencies == plain.inverseFrequencies.map { $0 / 4 })
        let short = RopeFrequencies(headDim: 64, ropeTheta: 10_000, scaling: .dynamic(factor: 2),
                                    maxPositionEmbeddings: 2048, sequenceLength: 100)
        #expect(short == plain)
        #expect(plain.attentionScaling == 1)
    }
}
