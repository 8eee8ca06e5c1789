import Foundation
import Testing
@testable import Evaluation

/// Metrics on hand-made scores with known answers.
@Suite struct ZeroShotMetricsTests {
    func doc(_ continuations: [String], gold: Int) -> ZeroShotDocument {
        ZeroShotDocument(id: 0, choices: continuations.map {
            ZeroShotRequest(context: "c", continuation: $0,
                            choiceLength: $0.unicodeScalars.count - ($0.hasPrefix(" ") ? 1 : 0))
        }, gold: gold, line: 1)
    }

    func s(_ logprob: Double, _ tokens: Int = 1, greedy: Bool = false) -> LoglikelihoodScore {
        LoglikelihoodScore(logprob: logprob, greedy: greedy, tokens: tokens)
    }

    @Test func accuracyVariants() {
        // doc 0: " a" (−2, 1 token) vs " bbbbbbb" (−4, 4 tokens): the sum picks a; per character
        //        (−2/1 vs −4/7; with the space −2/2 vs −4/8) and per token (−2 vs −1) pick b.
        // doc 1: equal sums: the first wins (np.argmax).
        // doc 2: " ab" (−3) vs " abcde" (−7): acc_norm (−1.5 vs −1.4) picks b, acc_per_char
        //        (−1 vs −1.17, the leading space counted) picks a.
        let docs = [doc([" a", " bbbbbbb"], gold: 1), doc([" x", " y"], gold: 0), doc([" ab", " abcde"], gold: 1)]
        let scores = [[s(-2, 1), s(-4, 4)], [s(-3), s(-3)], [s(-3), s(-7)]]
        let m = ZeroShotMetrics.multipleChoice(documents: docs, scores: scores, primaryMetric: "acc_per_char")
        func value(_ n: String) -> Double? { m.first { $0.name == n }?.value }
        #expect(value("acc") == 1.0 / 3)
        #expect(value("acc_norm") == 1)
        #expect(value("acc_per_char") == 2.0 / 3)
        #expect(value("acc_per_token") == 2.0 / 3)
        #expect(m.map(\.name) == ["acc", "acc_norm", "acc_per_token", "acc_per_char"])
        // acc_per_char only when it is the primary metric
        #expect(!ZeroShotMetrics.multipleChoice(documents: docs, scores: scores, primaryMetric: "acc_raw")
            .contains { $0.name == "acc_per_char" })
        // calibrated: subtract the unconditional score of the same choice
        let uncond = [[s(-1), s(-10)], [s(-5), s(-1)], [s(0), s(-1)]]
        let c = ZeroShotMetrics.multipleChoice(documents: docs, scores: scores, unconditional: uncond, primaryMetric: nil)
        #expect(c.first { $0.name == "acc_uncond" }?.value == 2.0 / 3)  // (−1, 6) → b; (2, −2) → x; (−3, −6) → ab
    }

    @Test func standardErrorIsTheHarnessMeanStderr() {
        // p = 0.7 over n = 10: sqrt(p(1−p)/(n−1))
        let values = [1, 1, 1, 1, 1, 1, 1, 0, 0, 0].map(Double.init)
        let se = ZeroShotMetrics.meanStderr(values)!
        #expect(abs(se - (0.7 * 0.3 / 9).squareRoot()) < 1e-12)
        #expect(ZeroShotMetrics.meanStderr([1]) == nil)
        #expect(ZeroShotMetrics.argmax([-1, 3, 3, 2]) == 1)
    }

    @Test func continuationMetrics() {
        let docs = [doc([" one"], gold: 0), doc([" three"], gold: 0)]
        let scores = [[s(-1, 1, greedy: true)], [s(-5, 3, greedy: false)]]
        let m = ZeroShotMetrics.continuation(documents: docs, scores: scores)
        func value(_ n: String) -> Double { m.first { $0.name == n }!.value }
        #expect(value("acc") == 0.5)
        #expect(abs(value("perplexity") - exp(6.0 / 4)) < 1e-12)      // per token
        #expect(abs(value("word_perplexity") - exp(6.0 / 2)) < 1e-12) // per document
        let bpb = (1.0 / 4 + 5.0 / 6) / 2 / log(2)                    // bytes include the space
        #expect(abs(value("bits_per_byte") - bpb) < 1e-12)
        #expect(ZeroShotMetrics.metricName(forPrimary: "logits_per_byte") == "bits_per_byte")
        #expect(ZeroShotMetrics.metricName(forPrimary: "acc_raw") == "acc")
    }
}
