import Evaluation
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
    /// Token-weighted over every task evaluated with KL.
    struct KLSummary: Encodable {
        var mean: Double
        var top1Agreement: Double
        var tokens: Int

        init(_ results: some Collection<KLDivergenceResult>) {
            tokens = results.reduce(0) { $0 + $1.tokens }
            let n = Double(max(tokens, 1))
            mean = results.reduce(0) { $0 + $1.mean * Double($1.tokens) } / n
            top1Agreement = results.reduce(0) { $0 + $1.top1Agreement * Double($1.tokens) } / n
        }

        enum CodingKeys: String, CodingKey {
            case mean, tokens
            case top1Agreement = "top1_agreement"
        }
    }
    var model: String
    var architecture: String
    var context: Int
    var mode: String
    var tasks: [String: TaskResult]
    var taskOrder: [String]
    var quant: QuantOptions.Report?
    var kl: KLSummary?
    var tokensPerSecond: Double

    enum CodingKeys: String, CodingKey {
        case model, architecture, context, mode, tasks, quant, kl
        case tokensPerSecond = "tokens_per_second"
    }

    func json() throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try enc.encode(self), as: UTF8.self)
    }

    func table() -> String {
        let width = max(12, taskOrder.map(\.count).max() ?? 0)
        func pad(_ s: String) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }
        var lines = ["model: \(model) (\(architecture)), context \(context), \(mode)"]
        if let q = quant {
            lines.append("quantized: \(q.spec) with \(q.method), "
                         + String(format: "%.3f effective bits/weight, %d bytes in %d weights, %.1f s",
                                  q.effectiveBits, q.bytes, q.quantizedWeights, q.seconds)
                         + (q.gridAligned ? " — GRID-ALIGNED with \(q.alignedStorage.joined(separator: ", ")): error understated" : ""))
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
