import Foundation

/// Results as CSV (one flat row per experiment: a column per corpus and per task) and as JSON.
public enum ResultsExport {
    /// CSV with a header; corpora become `ppl_<corpus>` and tasks `acc_<task>` / `acc_norm_<task>`.
    /// A missing value is an empty cell, everywhere.
    public static func csv(_ records: [ExperimentRecord]) -> String {
        let corpora = Array(Set(records.flatMap { $0.perplexity.keys })).sorted()
        let tasks = Array(Set(records.flatMap { $0.zeroShot.keys })).sorted()
        var header = ["id", "study", "model", "model_fingerprint", "architecture", "plan_id", "method", "method_label", "spec",
                      "weight_bits", "granularity", "symmetric", "activation_bits", "act_order", "static_groups", "mse_clip", "damping",
                      "lorc_rank", "lorc_factor_bits", "calib_corpus", "calib_samples", "calib_length", "sequential", "true_sequential",
                      "weight_grid", "seed",
                      "effective_bits", "gptq_bits", "gguf_type", "gguf_bits", "bytes", "model_bytes", "parameters",
                      "grid_aligned", "grid_fit"]
        header += corpora.map { "ppl_\($0)" } + ["mean_perplexity", "diverged"]
        header += tasks.flatMap { ["acc_\($0)", "acc_norm_\($0)"] }
        header += ["kl_divergence", "top1_agreement", "quantize_seconds", "evaluate_seconds", "diagnostics", "machine",
                   "program_version", "finished_at"]
        var lines = [header.joined(separator: ",")]
        func num(_ x: Double?) -> String { x.map { String(format: "%.6g", $0) } ?? "" }
        func opt<T>(_ x: T?) -> String { x.map { "\($0)" } ?? "" }
        for r in records {
            var cells = [r.id, r.study, r.model, opt(r.modelFingerprint), r.architecture, r.planKey, r.method, r.methodLabel,
                         opt(r.spec), opt(r.weightBits), r.granularityLabel, opt(r.symmetric), "\(r.activationBits)", "\(r.actOrder)",
                         opt(r.staticGroups), opt(r.mseClip), num(r.damping), opt(r.lorcRank), opt(r.lorcFactorBits),
                         opt(r.calibrationCorpus), opt(r.calibrationSamples), opt(r.calibrationLength), opt(r.sequential), opt(r.trueSequential),
                         opt(r.weightGrid), opt(r.seed),
                         num(r.effectiveBits), num(r.gptqBits), opt(r.ggufType), num(r.ggufBits), "\(r.bytes)", opt(r.modelBytes),
                         opt(r.parameters), "\(r.gridAligned)", num(r.gridFit)]
            cells += corpora.map { num(r.perplexity[$0]) } + [num(r.meanPerplexity), "\(r.diverged)"]
            cells += tasks.flatMap { [num(r.zeroShot[$0]?.acc), num(r.zeroShot[$0]?.accNorm)] }
            cells += [num(r.klDivergence), num(r.top1Agreement), num(r.quantizeSeconds), num(r.evaluateSeconds),
                      opt(r.diagnostics), r.machine, r.programVersion, r.finishedAt]
            lines.append(cells.map(escape).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A JSON array of the records (snake_case keys, sorted).
    public static func json(_ records: [ExperimentRecord]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        // A diverged model's perplexity is inf or nan: written as the strings "inf"/"nan" (as the results database keeps them), not refused.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(records), as: UTF8.self) + "\n"
    }

    static func escape(_ cell: String) -> String {
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
