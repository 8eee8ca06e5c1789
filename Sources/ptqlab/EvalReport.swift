import Calibration
import Evaluation
import Experiment
import Foundation

/// The result of `ptqlab eval`. JSON shape (a contract other tools rely on):
/// {"model": …, "tasks": {"<name>": {"perplexity": x, "tokens": n, …}}, "tokens_per_second": y, …}
struct EvalReport: Encodable {
    struct Task: Encodable {
        var perplexity: Double
        var tokens: Int
        var windows: Int
        /// With --kl: divergence from the unquantized model on this task's windows.
        var kl: KLDivergenceResult?
    }
    var model: String
    var architecture: String
    /// `f32` or `lean` (weights held as stored, widened in the GEMM).
    var weights: String
    var context: Int
    var mode: String
    var tasks: [String: TaskResult]
    var taskOrder: [String]
    var quant: QuantizationReport?
    var kl: KLSummary?
    var tokensPerSecond: Double
    /// With --llamacpp-arithmetic: the products per activation rounding.
    var llamaCppArithmetic: String?

    enum CodingKeys: String, CodingKey {
        case model, architecture, weights, context, mode, tasks, quant, kl
        case tokensPerSecond = "tokens_per_second"
        case llamaCppArithmetic = "llamacpp_arithmetic"
    }

    /// The report of one experiment's metrics (perplexity inputs in plan order, then zero-shot tasks).
    init(model: String, architecture: String, weights: String, plan: EvaluationPlan, metrics: ExperimentMetrics,
         zeroShot: [ZeroShotResult]) {
        self.model = model
        self.architecture = architecture
        self.weights = weights
        context = metrics.context
        mode = ((try? plan.mode()) ?? .nonOverlapping).description
        let labels = plan.corpora.map(EvaluationPlan.label)
        var tasks: [String: TaskResult] = [:]
        for label in labels {
            guard let c = metrics.perplexity[label] else { continue }
            tasks[label] = .perplexity(Task(perplexity: c.perplexity, tokens: c.tokens, windows: c.windows, kl: metrics.kl[label]))
        }
        for r in zeroShot where tasks[r.task] == nil { tasks[r.task] = .zeroShot(ZeroShotReport(result: r)) }
        self.tasks = tasks
        taskOrder = labels + zeroShot.map(\.task)
        quant = metrics.quantization
        kl = metrics.klSummary
        llamaCppArithmetic = metrics.llamaCppArithmetic
        let corpora = labels.compactMap { metrics.perplexity[$0] }
        let seconds = corpora.reduce(0.0) { $0 + $1.seconds }
        let tokens = corpora.reduce(0.0) { $0 + ($1.tokensPerSecond ?? 0) * $1.seconds }
        tokensPerSecond = seconds > 0 ? tokens / seconds : 0
    }

    func json() throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // A diverged model's perplexity is inf or nan: written as the strings "inf"/"nan" (as the results database keeps them), not refused.
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try enc.encode(self), as: UTF8.self)
    }

    func table() -> String {
        let width = max(12, taskOrder.map(\.count).max() ?? 0)
        func pad(_ s: String) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }
        var lines = ["model: \(model) (\(architecture)), context \(context), \(mode), weights \(weights == "lean" ? "lean (as stored)" : weights)"]
        if let llamaCppArithmetic {
            lines.append("llama.cpp CPU arithmetic: linear inputs rounded as ggml-cpu does (\(llamaCppArithmetic))")
        }
        if let q = quant {
            lines.append("quantized: \(q.spec) with \(q.method), "
                         + String(format: "%.3f effective bits/weight, %ld bytes in %ld weights, %.1f s",
                                  q.effectiveBits, q.bytes, q.quantizedWeights, q.seconds)
                         + (q.gridAligned ? " — GRID-ALIGNED with \(q.alignedStorage.joined(separator: ", ")): error understated" : ""))
            if let stored = q.storedBits {
                var formats = [String(format: "paper convention %.3f", stored.paper)]
                if let gptq = stored.gptq { formats.append(String(format: "GPTQ checkpoint %.3f", gptq)) }
                if let gguf = stored.gguf, let type = stored.ggufType { formats.append(String(format: "GGUF %@ %.3f", type, gguf)) }
                lines.append("bits per block weight: " + formats.joined(separator: ", ")
                             + (q.modelBytes.map { String(format: "; whole model %.1f MiB (other tensors at f16)", Double($0) / 1_048_576) } ?? ""))
            }
            for note in q.diagnostics.notes { lines.append("note: " + note) }
        }
        let perplexities = taskOrder.compactMap { name in
            if case .perplexity(let t)? = tasks[name] { (name, t) } else { nil }
        }
        if !perplexities.isEmpty {
            let withKL = kl != nil
            lines.append(pad("task") + "   perplexity     tokens  windows"
                         + (withKL ? "  base ppl    mean KL    median KL   KL p99   top-1 agree" : ""))
            for (name, t) in perplexities {
                var line = pad(name) + String(format: " %12.4f %10d %8d", t.perplexity, t.tokens, t.windows)
                if let d = t.kl {
                    line += String(format: "  %8.4f  %9.5f±%.5f  %9.5f  %7.4f  %6.2f%%±%.2f", d.basePerplexity, d.mean,
                                   d.stderr, d.median, d.p99, 100 * d.top1Agreement, 100 * d.top1AgreementStderr)
                }
                lines.append(line)
            }
            if let kl {
                lines.append(String(format: "KL divergence from the unquantized model over %d tokens: mean %.5f, top-1 agreement %.2f%%",
                                    kl.tokens, kl.mean, 100 * kl.top1Agreement))
            }
            lines.append(String(format: "%.1f tokens/s", tokensPerSecond))
        }
        lines += ZeroShotReport.table(taskOrder.compactMap { name in
            if case .zeroShot(let z)? = tasks[name] { z.result } else { nil }
        })
        return lines.joined(separator: "\n")
    }
}
