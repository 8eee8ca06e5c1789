import Foundation

/// Results as CSV (one flat row per experiment: a column per corpus and per task) and as JSON.
public enum ResultsExport {
    /// CSV with a header; corpora become `ppl_<corpus>` and tasks `acc_<task>` / `acc_norm_<task>`.
    public static func csv(_ records: [ExperimentRecord]) -> String {
        let corpora = Array(Set(records.flatMap { $0.perplexity.keys })).sorted()
        let tasks = Array(Set(records.flatMap { $0.zeroShot.keys })).sorted()
        var header = ["id", "study", "model", "architecture", "method", "spec", "weight_bits", "granularity", "symmetric",
                      "activation_bits", "lorc_rank", "act_order", "seed", "effective_bits", "bytes", "grid_aligned"]
        header += corpora.map { "ppl_\($0)" } + ["mean_perplexity"]
        header += tasks.flatMap { ["acc_\($0)", "acc_norm_\($0)"] }
        header += ["kl_divergence", "top1_agreement", "quantize_seconds", "evaluate_seconds", "machine", "program_version", "finished_at"]
        var lines = [header.joined(separator: ",")]
        func num(_ x: Double?) -> String { x.map { String(format: "%.6g", $0) } ?? "" }
        func opt<T>(_ x: T?) -> String { x.map { "\($0)" } ?? "" }
        for r in records {
            var cells = [r.id, r.study, r.model, r.architecture, r.method, r.spec ?? "", opt(r.weightBits), r.granularityLabel,
                         opt(r.symmetric), "\(r.activationBits)", opt(r.lorcRank), "\(r.actOrder)", opt(r.seed),
                         num(r.effectiveBits), "\(r.bytes)", "\(r.gridAligned)"]
            cells += corpora.map { num(r.perplexity[$0]) } + [num(r.meanPerplexity)]
            cells += tasks.flatMap { [num(r.zeroShot[$0]?.acc), num(r.zeroShot[$0]?.accNorm)] }
            cells += [num(r.klDivergence), num(r.top1Agreement), num(r.quantizeSeconds), num(r.evaluateSeconds),
                      r.machine, r.programVersion, r.finishedAt]
            lines.append(cells.map(escape).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A JSON array of the records (snake_case keys, sorted).
    public static func json(_ records: [ExperimentRecord]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(records), as: UTF8.self) + "\n"
    }

    static func escape(_ cell: String) -> String {
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
