import Foundation

/// The result of `ptqlab eval`. JSON shape (a contract other tools rely on):
/// {"model": …, "tasks": {"<name>": {"perplexity": x, "tokens": n, …}}, "tokens_per_second": y, …}
struct EvalReport: Encodable {
    struct Task: Encodable {
        var perplexity: Double
        var tokens: Int
        var windows: Int
    }
    var model: String
    var architecture: String
    var context: Int
    var mode: String
    var tasks: [String: TaskResult]
    var taskOrder: [String]
    var quant: QuantOptions.Report?
    var tokensPerSecond: Double

    enum CodingKeys: String, CodingKey {
        case model, architecture, context, mode, tasks, quant
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
            lines.append(pad("task") + "   perplexity     tokens  windows")
            for (name, t) in perplexities {
                lines.append(pad(name) + String(format: " %12.4f %10d %8d", t.perplexity, t.tokens, t.windows))
            }
            lines.append(String(format: "%.1f tokens/s", tokensPerSecond))
        }
        lines += ZeroShotReport.table(taskOrder.compactMap { name in
            if case .zeroShot(let z)? = tasks[name] { z.result } else { nil }
        })
        return lines.joined(separator: "\n")
    }
}
