import Foundation
import ModelFormats
import Models
import Testing
@testable import Evaluation

@Suite struct PerplexityWindowTests {
    let tokens: [Int32] = (0..<23).map { Int32($0) }

    @Test func nonOverlappingDropsThePartialWindow() throws {
        let w = try PerplexityWindows.make(tokens: tokens, options: .init(context: 10))
        #expect(w.count == 2)
        #expect(w[0].tokens == Array(0..<10).map { Int32($0) } && w[1].tokens.first == 10)
        #expect(w.allSatisfy { $0.scored == 0..<9 })  // every token after the first
    }

    @Test func maxWindowsCaps() throws {
        let w = try PerplexityWindows.make(tokens: tokens, options: .init(context: 5, maxWindows: 3))
        #expect(w.count == 3)
    }

    @Test func llamaCppScoresSecondHalfAfterBOS() throws {
        let w = try PerplexityWindows.make(tokens: tokens, options: .init(context: 10, mode: .llamaCppHalfWindow, bosToken: 99))
        #expect(w.count == 2 && w.allSatisfy { $0.tokens[0] == 99 && $0.scored == 5..<9 })
    }

    @Test func slidingScoresEachTokenOnce() throws {
        let w = try PerplexityWindows.make(tokens: tokens, options: .init(context: 10, mode: .sliding(stride: 4)))
        // windows start at 0, 4, 8, 12 (full windows only)
        #expect(w.map { $0.tokens[0] } == [0, 4, 8, 12])
        #expect(w[0].scored == 0..<9)
        // each later window scores only the `stride` newest tokens: predicting tokens 10…13 etc.
        #expect(w[1].scored == 5..<9)
        var predicted: [Int32] = []
        for x in w { for r in x.scored { predicted.append(x.tokens[r + 1]) } }
        #expect(predicted == Array(1..<22).map { Int32($0) })
    }

    @Test func tooShortTextIsAnError() {
        #expect(throws: PerplexityError.self) { try PerplexityWindows.make(tokens: [1, 2, 3], options: .init(context: 10)) }
    }
}

/// The evaluator on the tiny transformers model: its perplexity equals exp(mean NLL) computed in
/// double precision from transformers' own logits (Fixtures/models/tiny-llama/reference.json).
/// Tolerance 1e-5 relative: logits agree to ~1e-6 relative, NLLs average over 22 tokens.
@Suite struct PerplexityEvaluatorTests {
    @Test func matchesReferenceLogits() throws {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        let dir = url.path + "/Fixtures/models/tiny-llama"
        struct Reference: Decodable { let tokens: [[Int32]]; let logits: [[[Double]]] }
        let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/reference.json")))
        var nll = 0.0, n = 0
        for (w, window) in ref.tokens.enumerated() {
            for t in 0..<(window.count - 1) {
                let row = ref.logits[w][t]
                let m = row.max()!
                let lse = m + Foundation.log(row.map { Foundation.exp($0 - m) }.reduce(0, +))
                nll += lse - row[Int(window[t + 1])]; n += 1
            }
        }
        let expected = Foundation.exp(nll / Double(n))

        let hd = try HFModelDirectory(path: dir)
        let config = try LlamaConfig(contentsOf: hd.configPath)
        let model = try LlamaModel(hyper: LlamaHyperparameters(config: config, file: hd.configPath),
                                   weights: DirectWeights(try hd.openTensors()))
        let r = try PerplexityEvaluator(model: model).evaluate(
            tokens: ref.tokens.flatMap { $0 }, options: .init(context: ref.tokens[0].count, batchWindows: 1),
            showProgress: false)
        #expect(r.tokens == n && r.windows == 2)
        #expect(abs(r.perplexity - expected) / expected < 1e-5, "\(r.perplexity) vs \(expected)")
    }
}
