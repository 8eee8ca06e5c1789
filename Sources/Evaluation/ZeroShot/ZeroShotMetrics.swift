import Foundation

/// One number of a task's result, with its standard error when it is a mean over documents.
public struct ZeroShotMetric: Sendable, Equatable, Codable {
    public var name: String
    public var value: Double
    /// lm-evaluation-harness's `mean_stderr` of the per-document values (nil for fewer than 2
    /// documents, or for a number that is not a mean, e.g. a perplexity).
    public var stderr: Double?
    /// Whether the value is a mean over documents (so a standard error applies).
    public var isMean: Bool

    public init(name: String, value: Double, stderr: Double? = nil, isMean: Bool = false) {
        self.name = name
        self.value = value
        self.stderr = stderr
        self.isMean = isMean
    }
}

/// Task metrics from per-request scores.
///
/// Multiple choice (per document, argmax with the first index winning ties, as `np.argmax`):
/// - `acc`: argmax of the summed log-probabilities;
/// - `acc_norm`: argmax of sum / choice length in characters (the harness's acc_norm; the choice
///   is the continuation without its leading target delimiter);
/// - `acc_per_token`: argmax of sum / continuation tokens;
/// - `acc_per_char`: argmax of sum / continuation length including its leading space (OLMES's
///   acc_per_char), reported when it is the task's primary metric;
/// - `acc_uncond`: argmax of sum − the same choice's sum after the neutral context (OLMES's
///   calibrated acc_uncond), when unconditional scores are given.
///
/// Continuation (LAMBADA): `acc` = greedy decoding reproduces every target token;
/// `perplexity` = exp(−Σ logprob / Σ target tokens); `word_perplexity` = exp(−mean per-document
/// logprob), what the harness reports as LAMBADA's perplexity (one target word per document);
/// `bits_per_byte` = mean over documents of −logprob / (UTF-8 bytes of the target) · log₂e
/// (OLMES's logits_per_byte).
///
/// Standard errors: sample standard deviation / √n of the per-document values; for a 0/1
/// accuracy p that is √(p(1−p)/(n−1)).
public enum ZeroShotMetrics {
    /// The harness's `mean_stderr`: sample standard deviation / √n (nil for n < 2).
    public static func meanStderr(_ values: [Double]) -> Double? {
        let n = Double(values.count)
        guard values.count >= 2 else { return nil }
        let mean = values.reduce(0, +) / n
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        return (variance / n).squareRoot()
    }

    /// Index of the first maximum (`np.argmax`).
    public static func argmax(_ values: [Double]) -> Int {
        var best = 0
        for i in values.indices.dropFirst() where values[i] > values[best] { best = i }
        return best
    }

    static func mean(_ name: String, _ values: [Double]) -> ZeroShotMetric {
        ZeroShotMetric(name: name, value: values.reduce(0, +) / Double(max(1, values.count)), stderr: meanStderr(values),
                       isMean: true)
    }

    /// Per document, 1 when the argmax of the choices' normalised scores is gold, else 0.
    static func correct(documents: [ZeroShotDocument], scores: [[LoglikelihoodScore]],
                        _ normalized: (ZeroShotDocument, Int, LoglikelihoodScore) -> Double) -> [Double] {
        documents.indices.map { d in
            let doc = documents[d], s = scores[d]
            return argmax(s.indices.map { normalized(doc, $0, s[$0]) }) == doc.gold ? 1 : 0
        }
    }

    /// The per-document values behind `acc` and (multiple choice) `acc_norm`, in document order:
    /// what paired comparisons of two models on the same documents use.
    public static func perDocument(kind: ZeroShotTask.Kind, documents: [ZeroShotDocument],
                                   scores: [[LoglikelihoodScore]]) -> [String: [Double]] {
        switch kind {
        case .multipleChoice:
            return ["acc": correct(documents: documents, scores: scores) { _, _, s in s.logprob },
                    "acc_norm": correct(documents: documents, scores: scores) { doc, i, s in
                        s.logprob / Double(doc.choices[i].choiceLength) }]
        case .continuation:
            return ["acc": zip(documents, scores).map { $1[$0.gold].greedy ? 1 : 0 }]
        }
    }

    public static func multipleChoice(documents: [ZeroShotDocument], scores: [[LoglikelihoodScore]],
                                      unconditional: [[LoglikelihoodScore]]? = nil,
                                      primaryMetric: String?) -> [ZeroShotMetric] {
        /// Mean over documents of [argmax of the choices' normalised scores is gold].
        func accuracy(_ name: String, _ normalized: (ZeroShotDocument, Int, LoglikelihoodScore) -> Double) -> ZeroShotMetric {
            mean(name, correct(documents: documents, scores: scores, normalized))
        }
        var metrics = [
            accuracy("acc") { _, _, s in s.logprob },
            accuracy("acc_norm") { doc, i, s in s.logprob / Double(doc.choices[i].choiceLength) },
            accuracy("acc_per_token") { _, _, s in s.logprob / Double(max(1, s.tokens)) },
        ]
        if primaryMetric == "acc_per_char" {
            metrics.append(accuracy("acc_per_char") { doc, i, s in s.logprob / Double(doc.choices[i].continuationLength) })
        }
        if let unconditional {
            metrics.append(mean("acc_uncond", documents.indices.map { d in
                let lls = scores[d].indices.map { scores[d][$0].logprob - unconditional[d][$0].logprob }
                return argmax(lls) == documents[d].gold ? 1 : 0
            }))
        }
        return metrics
    }

    public static func continuation(documents: [ZeroShotDocument], scores: [[LoglikelihoodScore]]) -> [ZeroShotMetric] {
        let gold = zip(documents, scores).map { $1[$0.gold] }
        let totalLogprob = gold.reduce(0) { $0 + $1.logprob }
        let totalTokens = gold.reduce(0) { $0 + $1.tokens }
        let n = Double(max(1, gold.count))
        let bitsPerByte = zip(documents, gold).map { doc, s in
            -s.logprob / Double(doc.choices[doc.gold].continuationBytes) / Foundation.log(2)
        }
        return [
            mean("acc", gold.map { $0.greedy ? 1 : 0 }),
            ZeroShotMetric(name: "perplexity", value: Foundation.exp(-totalLogprob / Double(max(1, totalTokens)))),
            ZeroShotMetric(name: "word_perplexity", value: Foundation.exp(-totalLogprob / n)),
            mean("bits_per_byte", bitsPerByte),
        ]
    }

    /// Our metric for an OLMES `primary_metric` name, if we compute it.
    public static func metricName(forPrimary primary: String) -> String? {
        switch primary {
        case "acc_raw": "acc"
        case "acc_per_char", "acc_per_token", "acc_uncond": primary
        case "logits_per_byte": "bits_per_byte"
        default: nil
        }
    }
}
