import Evaluation
import Experiment
import Foundation
import Study

/// Hand-made rows with per-window values, for the analysis rules (pairs, intervals, seeds, plans,
/// divergence): each row has `windows` perplexity windows of 100 scored tokens on "wiki" whose mean
/// NLLs are given, so its mean perplexity is exp(mean of them).
enum SyntheticRows {
    /// A row of model `model` under plan `plan`. `nll` holds the per-window mean NLL (nats/token).
    static func row(_ id: String, method: String, spec: String?, nll: [Double], seed: UInt64? = nil, plan: String = "planA",
                    model: String = "m", mseClip: Bool = false, actOrder: Bool = false, lorc: Int? = nil,
                    effectiveBits: Double? = nil, gptqBits: Double? = nil, modelBytes: Int? = nil,
                    kl: [Double]? = nil, documents: [Double]? = nil) -> ExperimentRecord {
        var metrics = ExperimentMetrics(context: 128)
        let tokens = 100
        var corpus = ExperimentMetrics.Corpus(PerplexityResult(perplexity: 0, tokens: tokens * nll.count, windows: nll.count, meanNLL: 0,
                                                               seconds: 1, tokensPerSecond: 1))
        corpus.windowNLL = nll.map { $0 * Double(tokens) }
        corpus.windowTokens = nll.map { _ in tokens }
        let mean = nll.reduce(0, +) / Double(nll.count)
        corpus.perplexity = exp(mean)
        metrics.perplexity["wiki"] = corpus
        if let kl {
            var w = KLWindowValues(windows: kl.count)
            w.kl = kl.map { $0 * Double(tokens) }
            w.tokens = kl.map { _ in tokens }
            metrics.klWindows = ["wiki": w]
        }
        var zeroShot: [String: TaskScore] = [:]
        if let documents {
            let task = ExperimentMetrics.Task(metrics: [], primaryMetric: nil, documents: documents.count,
                                              availableDocuments: documents.count, subset: false, requests: 0, seconds: 0,
                                              documentIDs: Array(documents.indices), perDocument: ["acc": documents])
            metrics.zeroShot["piqa"] = task
            let acc = documents.reduce(0, +) / Double(documents.count)
            zeroShot["piqa"] = TaskScore(acc: acc, accStderr: 0.01, accNorm: nil, accNormStderr: nil, n: documents.count)
        }
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let metricsJSON = String(decoding: try! encoder.encode(metrics), as: UTF8.self)
        var bits: Int? = nil, group: Int? = nil, symmetric: Bool? = nil, activation = 16
        if let spec {
            let parts = spec.split(separator: "-")
            let wa = parts[0].dropFirst().split(separator: "a")
            bits = Int(wa[0]); activation = Int(wa[1]) ?? 16
            group = parts[1] == "row" ? nil : parts[1] == "tensor" ? 0 : Int(parts[1].dropFirst())
            symmetric = parts[2] == "sym"
        }
        let ppl = nll.allSatisfy(\.isFinite) ? exp(mean) : Double.nan
        var r = ExperimentRecord(
            id: id, study: "synthetic-rules", model: model, architecture: "llama", method: method, spec: spec, weightBits: bits,
            groupSize: group, symmetric: symmetric, activationBits: activation, lorcRank: lorc, actOrder: actOrder, seed: seed,
            effectiveBits: effectiveBits ?? Double(bits ?? 5) + (group.map { 32.0 / Double($0) } ?? 0.05), bytes: 1000,
            gridAligned: false, perplexity: ["wiki": ppl], meanPerplexity: ppl, zeroShot: zeroShot,
            klDivergence: kl.map { $0.reduce(0, +) / Double($0.count) }, top1Agreement: nil, quantizeSeconds: 0, evaluateSeconds: 0,
            configJSON: "{}", metricsJSON: metricsJSON, machine: "test", programVersion: "test",
            finishedAt: "2026-12-01T00:00:00.000Z")
        r.planID = plan
        r.mseClip = method == "rtn" ? mseClip : nil
        if method == "gptq" || method == "zq-local" {
            r.calibrationCorpus = "wiki"; r.calibrationSamples = 32; r.calibrationLength = 512; r.sequential = true
            if method == "gptq" { r.damping = 0.01 }
        }
        r.gptqBits = gptqBits
        r.modelBytes = modelBytes
        return r
    }

    /// Per-window NLLs around `level` with a fixed deterministic wiggle (so intervals are finite).
    static func windows(_ level: Double, count: Int = 12, wiggle: Double = 0.05, phase: Int = 0) -> [Double] {
        (0..<count).map { level + wiggle * sin(Double($0 * 7 + phase)) }
    }
}
