import Evaluation
import Foundation

extension EvalReport {
    /// One entry of "tasks": a perplexity corpus or a zero-shot task.
    enum TaskResult: Encodable {
        case perplexity(Task)
        case zeroShot(ZeroShotReport)

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .perplexity(let t): try t.encode(to: encoder)
            case .zeroShot(let z): try z.encode(to: encoder)
            }
        }
    }
}

/// A zero-shot task in `ptqlab eval`'s JSON (under "tasks"):
/// {"acc": x, "acc_stderr": s, "acc_norm": …, "acc_norm_stderr": …, "acc_per_token": …,
///  ["acc_per_char": …,] ["acc_uncond": …,] "n": docs evaluated, "documents_available": docs in
///  the task, "subset": bool, ["subset_seed": k,] "primary_metric": name from config.json,
///  ["primary_score": its value,] "requests", "requests_per_second", "tokens", "seconds",
///  "truncated_requests", "max_length" (window in tokens), "variant", "kind", "prefix_sharing"}
/// Continuation tasks (LAMBADA) have acc (greedy match), perplexity (per token),
/// word_perplexity (the harness's per-document perplexity) and bits_per_byte instead.
/// A standard error is null when it is undefined (fewer than 2 documents).
struct ZeroShotReport: Encodable {
    let result: ZeroShotResult

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        let r = result
        for m in r.metrics {
            try c.encode(m.value, forKey: Key(m.name))
            if m.isMean { try c.encode(m.stderr, forKey: Key(m.name + "_stderr")) }  // null when undefined
        }
        try c.encode(r.documents, forKey: Key("n"))
        try c.encode(r.availableDocuments, forKey: Key("documents_available"))
        try c.encode(r.subset, forKey: Key("subset"))
        try c.encodeIfPresent(r.subsetSeed, forKey: Key("subset_seed"))
        try c.encode(r.primaryMetric, forKey: Key("primary_metric"))
        try c.encodeIfPresent(r.primaryScore, forKey: Key("primary_score"))
        try c.encode(r.requests, forKey: Key("requests"))
        try c.encode(r.requestsPerSecond, forKey: Key("requests_per_second"))
        try c.encode(r.tokens, forKey: Key("tokens"))
        try c.encode(r.seconds, forKey: Key("seconds"))
        try c.encode(r.truncatedRequests, forKey: Key("truncated_requests"))
        try c.encode(r.maxLength, forKey: Key("max_length"))
        try c.encode(r.variant, forKey: Key("variant"))
        try c.encode(r.kind.rawValue, forKey: Key("kind"))
        try c.encode(r.prefixSharing, forKey: Key("prefix_sharing"))
    }

    /// The zero-shot part of the text report: one row per task.
    static func table(_ results: [ZeroShotResult]) -> [String] {
        guard !results.isEmpty else { return [] }
        let width = max(14, results.map(\.task.count).max() ?? 0)
        func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(0, w - s.count)) }
        func cell(_ m: ZeroShotMetric?) -> String {
            guard let m else { return pad("–", 16) }
            return pad(String(format: "%.4f", m.value) + (m.stderr.map { String(format: " ±%.4f", $0) } ?? ""), 16)
        }
        var lines = [pad("zero-shot task", width) + "        docs  " + pad("acc", 16) + "  " + pad("acc_norm", 16)
                     + "  primary metric                    req/s"]
        for r in results {
            let docs = r.subset ? "\(r.documents)/\(r.availableDocuments)" : "\(r.documents)"
            let primaryName = r.primaryMetric.flatMap(ZeroShotMetrics.metricName(forPrimary:))
            let primary = r.primaryMetric.map { name in
                name + (primaryName.flatMap(r.metric).map { String(format: " = %.4f", $0.value) } ?? " (not computed)")
            } ?? "–"
            var row = pad(r.task, width) + " " + String(repeating: " ", count: max(0, 11 - docs.count)) + docs + "  "
                + cell(r.metric("acc")) + "  " + cell(r.metric("acc_norm")) + "  " + pad(primary, 32)
                + String(format: " %6.1f", r.requestsPerSecond)
            let extra = r.metrics.filter { !["acc", "acc_norm"].contains($0.name) && $0.name != primaryName }
            if !extra.isEmpty {
                row += "   " + extra.map { "\($0.name) " + String(format: "%.4f", $0.value) }.joined(separator: ", ")
            }
            lines.append(row)
        }
        if let r = results.first(where: \.subset) {
            lines.append("docs k/N: a stable subset of k of the task's N documents (--limit, seed \(r.subsetSeed ?? 0)); "
                         + "± is the standard error")
        } else {
            lines.append("± is the standard error")
        }
        return lines
    }
}
