import Experiment
import Study

/// The per-unit values of one row that paired comparisons use, decoded once from its metrics:
/// mean NLL per perplexity window (inputs in name order, windows in order), mean KL per KL window,
/// and per zero-shot document its score (acc_norm where the task has it, else acc).
struct RowValues: Sendable, Equatable {
    /// Per window: summed NLL / scored tokens. Keys name the unit (`wiki#3`) so two rows are
    /// compared only on units both have.
    var windowNLL: [String: Double] = [:]
    var windowKL: [String: Double] = [:]
    var documentScore: [String: Double] = [:]

    init() {}

    /// Decodes a row's metrics (empty for rows without per-unit values, e.g. protocol-1 rows).
    init(_ record: ExperimentRecord) {
        guard let m = record.metrics else { return }
        for (corpus, c) in m.perplexity {
            guard let nll = c.windowNLL, let tokens = c.windowTokens, nll.count == tokens.count else { continue }
            for (w, (sum, n)) in zip(nll, tokens).enumerated() where n > 0 {
                windowNLL["\(corpus)#\(w)"] = sum / Double(n)
            }
        }
        for (corpus, values) in m.klWindows ?? [:] {
            for w in values.kl.indices where values.tokens[w] > 0 {
                windowKL["\(corpus)#\(w)"] = values.kl[w] / Double(values.tokens[w])
            }
        }
        for (task, t) in m.zeroShot {
            guard let ids = t.documentIDs, let per = t.perDocument,
                  let scores = per["acc_norm"] ?? per["acc"], scores.count == ids.count else { continue }
            for (id, s) in zip(ids, scores) { documentScore["\(task)#\(id)"] = s }
        }
    }

    /// The element-wise mean of several rows' values over the units all of them have (seeds of one recipe).
    init(averaging rows: [RowValues]) {
        guard let first = rows.first else { return }
        func average(_ pick: (RowValues) -> [String: Double], _ keys: Dictionary<String, Double>.Keys) -> [String: Double] {
            var out: [String: Double] = [:]
            for key in keys {
                let values = rows.compactMap { pick($0)[key] }
                if values.count == rows.count { out[key] = values.reduce(0, +) / Double(values.count) }
            }
            return out
        }
        windowNLL = average(\.windowNLL, first.windowNLL.keys)
        windowKL = average(\.windowKL, first.windowKL.keys)
        documentScore = average(\.documentScore, first.documentScore.keys)
    }

    /// Paired difference a − b over the units both have (sorted keys, so deterministic).
    static func difference(_ a: [String: Double], _ b: [String: Double]) -> PairedDifference? {
        let keys = a.keys.filter { b[$0] != nil }.sorted()
        return PairedDifference(keys.map { a[$0]! }, minus: keys.map { b[$0]! })
    }

    /// Per shared unit, a − b (for pooling several pairs unit by unit).
    static func differences(_ a: [String: Double], _ b: [String: Double]) -> [String: Double] {
        var out: [String: Double] = [:]
        for (k, v) in a { if let w = b[k] { out[k] = v - w } }
        return out
    }
}
