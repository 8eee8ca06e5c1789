import Calibration
import Evaluation
import Foundation
import Models

/// Everything one experiment measured (what the `metrics` column holds as JSON).
struct ExperimentMetrics: Codable {
    struct Corpus: Codable {
        var perplexity: Double
        var tokens: Int
        var windows: Int
        var seconds: Double
    }
    struct Task: Codable {
        var metrics: [ZeroShotMetric]
        var primaryMetric: String?
        var documents: Int
        var availableDocuments: Int
        var subset: Bool
        var requests: Int
        var seconds: Double
    }
    var context: Int
    var perplexity: [String: Corpus] = [:]
    var kl: [String: KLDivergenceResult] = [:]
    var zeroShot: [String: Task] = [:]
    var quantization: QuantizationReport?
}

/// Runs an experiment's evaluation plan on a session's (possibly quantized) model.
struct ExperimentMeasurement {
    let session: ModelSession
    let showProgress: Bool

    func measure(_ plan: EvaluationPlan, quantized: Bool, into metrics: inout ExperimentMetrics) throws {
        let loaded = session.loaded
        let context = session.context(plan)
        metrics.context = context
        let bos = loaded.tokenizer.addsBos ? loaded.tokenizer.bosTokenId : nil
        let pplOptions = PerplexityOptions(context: context, maxWindows: plan.maxWindows, batchWindows: 4, bosToken: bos)
        let klOptions = PerplexityOptions(context: context, maxWindows: plan.klMaxWindows, batchWindows: 4, bosToken: bos)
        let klCorpora = quantized ? plan.klCorpora : []
        for corpus in klCorpora {
            let d = try KLDivergenceEvaluator(base: try session.base().model, quantized: loaded.model)
                .evaluate(tokens: try session.tokens(corpus: corpus), options: klOptions, label: "kl:\(corpus)",
                          showProgress: showProgress)
            metrics.kl[corpus] = d
            // The same pass gives the quantized perplexity when the windows are the same.
            if plan.corpora.contains(corpus) && plan.klMaxWindows == plan.maxWindows {
                metrics.perplexity[corpus] = .init(perplexity: d.quantizedPerplexity, tokens: d.tokens, windows: d.windows, seconds: d.seconds)
            }
        }
        let evaluator = PerplexityEvaluator(model: loaded.model)
        for corpus in plan.corpora where metrics.perplexity[corpus] == nil {
            let r = try evaluator.evaluate(tokens: try session.tokens(corpus: corpus), options: pplOptions, label: corpus,
                                           showProgress: showProgress)
            metrics.perplexity[corpus] = .init(perplexity: r.perplexity, tokens: r.tokens, windows: r.windows, seconds: r.seconds)
        }
        if !plan.zeroShotTasks.isEmpty {
            let evaluator = ZeroShotEvaluator(model: loaded.model, tokenizer: loaded.tokenizer)
            let options = ZeroShotOptions(limit: plan.limit, subsetSeed: plan.subsetSeed, maxLength: context)
            for name in plan.zeroShotTasks {
                let r = try evaluator.evaluate(try session.zeroShotTask(name), options: options, showProgress: showProgress)
                metrics.zeroShot[name] = .init(metrics: r.metrics, primaryMetric: r.primaryMetric, documents: r.documents,
                                               availableDocuments: r.availableDocuments, subset: r.subset,
                                               requests: r.requests, seconds: r.seconds)
            }
        }
    }
}
