import Foundation
import Models
import Testing
@testable import Evaluation

/// Prefix-shared scoring and full-sequence scoring give the same log-likelihoods, and both equal
/// each request run alone through the plain forward pass. Tolerance 1e-4 absolute on sums of up
/// to 8 log-probabilities: every path is f32 and they differ only in summation order (GEMMs over
/// different row counts, attention keys split into prefix and own parts), ~1e-6 per logit.
@Suite struct ZeroShotScoringPathTests {
    struct LCG {
        var state: UInt64
        mutating func next(_ n: Int) -> Int32 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int32((state >> 33) % UInt64(n))
        }
        mutating func tokens(_ count: Int, vocab: Int) -> [Int32] { (0..<count).map { _ in next(vocab) } }
    }

    func request(_ context: [Int32], _ continuation: [Int32]) -> EncodedRequest {
        EncodedRequest(input: Array((context + continuation).dropLast()), targets: continuation, truncated: false)
    }

    /// Groups exercising every case: choices sharing a context, contexts differing at the end
    /// (winogrande), a single request, nothing shared, a group filling the 64-token window.
    func groups(vocab: Int) -> [[EncodedRequest]] {
        var g = LCG(state: 42)
        let shared = g.tokens(12, vocab: vocab)
        let stem = g.tokens(9, vocab: vocab), tail = g.tokens(5, vocab: vocab)
        let long = g.tokens(56, vocab: vocab)
        return [
            (1...4).map { request(shared, g.tokens($0 * 2 - 1, vocab: vocab)) },
            [request(stem + [3, 4], tail), request(stem + [5], tail)],
            [request(g.tokens(7, vocab: vocab), g.tokens(8, vocab: vocab))],
            [request([1] + shared, [7, 8]), request([2] + shared, [9])],
            [request(long, g.tokens(8, vocab: vocab)), request(long, g.tokens(3, vocab: vocab))],
        ]
    }

    /// Each request alone through `forward(windows:)`, log-softmax in f64.
    func reference(_ model: LlamaModel, _ r: EncodedRequest) throws -> (Double, Bool) {
        var total = 0.0, greedy = true
        let v = model.vocabularySize
        try model.forward(windows: [r.input], observer: nil) { first, rows, logits in
            for k in 0..<rows where first + k >= r.firstScoredRow {
                let row = (0..<v).map { Double(logits[k * v + $0]) }
                let m = row.max()!
                let lse = m + log(row.reduce(0) { $0 + exp($1 - m) })
                let target = Int(r.targets[first + k - r.firstScoredRow])
                total += row[target] - lse
                if row.firstIndex(of: m) != target { greedy = false }
            }
        }
        return (total, greedy)
    }

    @Test(arguments: ["tiny-llama", "tiny-qwen2"])
    func prefixSharedEqualsFullSequences(_ name: String) throws {
        let model = try ZeroShotFixtures.tinyModel(name)
        let groups = groups(vocab: model.vocabularySize)
        #expect(LoglikelihoodScorer.sharedPrefixLength(groups[0]) == 11)   // up to the last context token
        #expect(LoglikelihoodScorer.sharedPrefixLength(groups[1]) == 9)
        #expect(LoglikelihoodScorer.sharedPrefixLength(groups[2]) == 0)
        #expect(LoglikelihoodScorer.sharedPrefixLength(groups[3]) == 0)
        let runs = [
            ("shared", LoglikelihoodScorer(model: model, batchTokens: 4096)),
            ("shared, one group per pass", LoglikelihoodScorer(model: model, batchTokens: 1)),
            ("full", LoglikelihoodScorer(model: model, batchTokens: 4096, sharePrefixes: false)),
            ("full, one sequence per pass", LoglikelihoodScorer(model: model, batchTokens: 1, sharePrefixes: false)),
        ]
        #expect(runs[0].1.usesPrefixSharing && !runs[2].1.usesPrefixSharing)
        for (label, scorer) in runs {
            let scores = try scorer.score(groups)
            for (g, group) in groups.enumerated() {
                for (i, r) in group.enumerated() {
                    let (expected, greedy) = try reference(model, r)
                    let got = scores[g][i]
                    #expect(abs(got.logprob - expected) < 1e-4, "\(name) \(label) group \(g) request \(i): \(got.logprob) vs \(expected)")
                    #expect(got.greedy == greedy && got.tokens == r.targets.count, "\(name) \(label) group \(g) request \(i)")
                }
            }
        }
    }

    @Test func tooLongInputIsAnErrorNotACrash() throws {
        let model = try ZeroShotFixtures.tinyModel("tiny-llama")
        let r = request(Array(repeating: 1, count: 70), [2])
        for share in [true, false] {
            let text = ZeroShotFixtures.errorText { _ = try LoglikelihoodScorer(model: model, sharePrefixes: share).score([[r]]) }
            #expect(text.contains("window 64"), "\(text)")
        }
    }
}
