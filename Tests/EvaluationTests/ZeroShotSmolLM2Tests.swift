import Foundation
import Testing
@testable import Evaluation

/// End to end on SmolLM2-135M: the real PIQA request file → harness encoding → our forward pass,
/// against the same documents scored by PyTorch transformers with the harness's encoding
/// (Fixtures/reference/smollm2_piqa_loglikelihoods.json, scripts/reference/smollm2_zeroshot.py).
/// Token ids must be identical. Log-likelihoods: logits agree to ~2e-4 absolute (see
/// SmolLM2ReferenceTests), a choice sums ~20–60 token log-probabilities (~100 in total), so we
/// hold each sum to 2e-3 absolute (observed worst 5e-4, both scoring paths).
@Suite(.serialized) struct ZeroShotSmolLM2Tests {
    struct Reference: Decodable {
        struct Choice: Decodable {
            let context_ids: [Int32]
            let continuation_ids: [Int32]
            let logprob: Double
            let greedy: Bool
        }
        struct Doc: Decodable {
            let doc_id: Int
            let gold: Int
            let choices: [Choice]
        }
        let docs: [Doc]
    }

    @Test func piqaMatchesPyTorch() throws {
        let loaded = try ZeroShotFixtures.smol()
        let url = URL(fileURLWithPath: ZeroShotFixtures.root + "/Fixtures/reference/smollm2_piqa_loglikelihoods.json")
        let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
        var task = try ZeroShotTasks.load("piqa", assets: ZeroShotFixtures.assets)
        task.documents = Array(task.documents.prefix(ref.docs.count))
        #expect(task.documents.map(\.id) == ref.docs.map(\.doc_id))
        #expect(task.documents.map(\.gold) == ref.docs.map(\.gold))

        let encoder = HarnessEncoder(tokenizer: loaded.tokenizer, maxLength: loaded.model.maxContext)
        for (doc, r) in zip(task.documents, ref.docs) {
            for (c, rc) in zip(doc.choices, r.choices) {
                let (ctx, cont) = try encoder.encodePair(context: c.context, continuation: c.continuation)
                #expect(ctx == rc.context_ids && cont == rc.continuation_ids, "doc \(doc.id)")
            }
        }
        let evaluator = ZeroShotEvaluator(model: loaded.model, tokenizer: loaded.tokenizer)
        var accuracies: [Double] = []
        for share in [true, false] {
            let result = try evaluator.evaluate(task, options: .init(sharePrefixes: share), showProgress: false)
            #expect(result.prefixSharing == share && result.documents == ref.docs.count && !result.subset)
            var worst = 0.0
            for (scores, r) in zip(result.scores, ref.docs) {
                for (s, rc) in zip(scores, r.choices) {
                    worst = max(worst, abs(s.logprob - rc.logprob))
                    #expect(s.greedy == rc.greedy && s.tokens == rc.continuation_ids.count)
                }
            }
            #expect(worst < 2e-3, "prefix sharing \(share): worst |Δ loglikelihood| \(worst)")
            accuracies.append(result.metric("acc")!.value)
        }
        // acc from the reference log-likelihoods
        let expected = Double(ref.docs.filter { d in ZeroShotMetrics.argmax(d.choices.map(\.logprob)) == d.gold }.count)
            / Double(ref.docs.count)
        #expect(accuracies == [expected, expected])
    }

    /// A task of our own with obvious answers, through the JSONL loader: a 135M model gets all right.
    @Test func obviousUserTask() throws {
        let loaded = try ZeroShotFixtures.smol()
        let path = try ZeroShotFixtures.write([
            #"{"context": "The capital of France is", "choices": ["Paris", "a purple refrigerator"], "gold": 0}"#,
            #"{"context": "One, two, three, four,", "choices": ["banana", "five"], "gold": 1}"#,
            #"{"context": "Monday, Tuesday, Wednesday,", "choices": ["Thursday", "Sunday", "December"], "gold": 0}"#,
            #"{"context": "The opposite of hot is ", "choices": ["cold", "seventeen"], "gold": 0}"#,
        ])
        let task = try ZeroShotTasks.load("file:" + path, assets: ZeroShotFixtures.assets)
        let result = try ZeroShotEvaluator(model: loaded.model, tokenizer: loaded.tokenizer).evaluate(task, showProgress: false)
        #expect(result.metric("acc")?.value == 1)
        #expect(result.metric("acc")?.stderr == 0 && result.documents == 4 && result.requests == 9)
        #expect(result.primaryMetric == nil && result.primaryScore == nil)
    }

    /// --limit picks the same documents every run and says so; --calibrated adds acc_uncond;
    /// LAMBADA reports greedy accuracy and perplexities.
    @Test func subsetCalibrationAndLambada() throws {
        let loaded = try ZeroShotFixtures.smol()
        let evaluator = ZeroShotEvaluator(model: loaded.model, tokenizer: loaded.tokenizer)
        let piqa = try ZeroShotTasks.load("piqa", assets: ZeroShotFixtures.assets, keepUnconditional: true)
        let a = try evaluator.evaluate(piqa, options: .init(limit: 3, calibrated: true), showProgress: false)
        let b = try evaluator.evaluate(piqa, options: .init(limit: 3, subsetSeed: 0), showProgress: false)
        #expect(a.subset && a.documents == 3 && a.availableDocuments == 1838 && a.subsetSeed == 0)
        #expect(a.documentIDs == b.documentIDs)
        // The same requests, batched with the unconditional ones or not: OpenBLAS (the GEMM on
        // processors without AVX-512) blocks its sums by the batch's row count, so log-probabilities
        // may differ in the last float bits (f32 logits, |logprob| < 100): 1e-4 absolute.
        #expect(a.scores.count == b.scores.count)
        for (x, y) in zip(a.scores.joined(), b.scores.joined()) {
            #expect(abs(x.logprob - y.logprob) < 1e-4 && x.tokens == y.tokens, "\(x) vs \(y)")
        }
        #expect(a.requests == 12 && b.requests == 6)  // calibrated adds the unconditional requests
        #expect(a.metric("acc_uncond") != nil && b.metric("acc_uncond") == nil)
        #expect(a.primaryScore == a.metric("acc_per_char")?.value)

        let lambada = try ZeroShotTasks.load("lambada", assets: ZeroShotFixtures.assets)
        let l = try evaluator.evaluate(lambada, options: .init(limit: 4), showProgress: false)
        #expect(l.metrics.map(\.name) == ["acc", "perplexity", "word_perplexity", "bits_per_byte"])
        let ppl = l.metric("perplexity")!.value
        #expect(ppl > 1 && ppl < 1000 && l.primaryScore == l.metric("bits_per_byte")?.value)
    }
}
