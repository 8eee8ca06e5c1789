import Foundation
import ModelFormats
import Models
import Testing
import Tokenizers
@testable import Evaluation

/// End to end: corpus extraction → our tokenizer → our forward pass → perplexity, against PyTorch
/// transformers on the same dequantized weights, the same tokens (tokenizers + SmolLM2's
/// tokenizer.json) and the same windows (Fixtures/reference/smollm2_perplexity.json, from
/// scripts/reference/smollm2_perplexity.py). The issue asks for 0.1%; f32 on both sides agrees to
/// ~1e-5 relative, so we hold it to 1e-4.
@Suite struct SmolLM2PerplexityTests {
    struct Reference: Decodable {
        struct Task: Decodable { let perplexity: Double; let tokens: Int }
        let context: Int
        let windows: Int
        let tasks: [String: Task]
    }

    @Test func matchesPyTorch() throws {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url.appendingPathComponent("Fixtures/reference/smollm2_perplexity.json")))
        let assets = AssetLocator()
        let loaded = try ModelLoader.load(path: try assets.defaultModel)
        let evaluator = PerplexityEvaluator(model: loaded.model)
        for name in Corpora.builtInNames {
            let expected = try #require(ref.tasks[name])
            let tokens = loaded.tokenizer.encode(try Corpora.load(name, assets: assets).evaluation, addSpecial: true)
            let r = try evaluator.evaluate(tokens: tokens, options: .init(context: ref.context, maxWindows: ref.windows),
                                           showProgress: false)
            #expect(r.tokens == expected.tokens)
            let rel = abs(r.perplexity - expected.perplexity) / expected.perplexity
            #expect(rel < 1e-4, "\(name): ours \(r.perplexity), PyTorch \(expected.perplexity), relative \(rel)")
        }
    }
}
