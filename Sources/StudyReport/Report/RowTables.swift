import Foundation
import Study

/// Tables built from analyzed rows: all results, zero-shot scores, verdict evidence,
/// recommendations, sensitivity and diagnostics.
enum RowTables {
    /// The flag text a grid-aligned row carries wherever it appears.
    static let gridAlignedFlag = "† optimistic: lies on the base model's storage grid"

    /// Every row of one model and plan: recipe columns, bits two ways, sizes, perplexities,
    /// deltas with their interval against the base, class, KL and flags.
    static func results(_ m: ModelAnalysis) -> ReportTable {
        let hasCalibration = m.rows.contains { $0.record.calibrationLabel != nil }
        let hasSeeds = m.rows.contains { $0.record.seed != nil }
        var headers = ["spec", "method"]
        var numeric = [false, false]
        if hasCalibration { headers.append("calibration"); numeric.append(false) }
        if hasSeeds { headers.append("seed"); numeric.append(true) }
        headers += ["eff. bits", "GPTQ bits", "GGUF", "model MiB"]
        numeric += [true, true, false, true]
        headers += m.corpora.map { "PPL \($0)" } + ["mean PPL", "ΔPPL", "rel. ΔPPL", "Δ vs base (95% CI)", "class"]
        numeric += m.corpora.map { _ in true } + [true, true, true, false, false]
        if m.hasKL { headers += ["KL", "top-1"]; numeric += [true, true] }
        if !m.zeroShotTasks.isEmpty { headers.append("zero-shot mean"); numeric.append(true) }
        headers.append("flags"); numeric.append(false)
        let rows = m.rows.map { r -> [String] in
            let rec = r.record
            var cells = [rec.spec ?? (rec.isBase ? "base" : "–"), rec.isBase ? "–" : rec.methodLabel]
            if hasCalibration { cells.append(rec.calibrationLabel ?? "") }
            if hasSeeds { cells.append(rec.seed.map(String.init) ?? "") }
            cells += [NumberFormatting.bits(rec.effectiveBits), rec.gptqBits.map(NumberFormatting.bits) ?? "–",
                      ggufCell(rec), rec.modelBytes.map(NumberFormatting.mebibytes) ?? "–"]
            cells += m.corpora.map { NumberFormatting.perplexity(rec.perplexity[$0]) }
            cells += [NumberFormatting.perplexity(rec.meanPerplexity),
                      rec.isBase ? "–" : NumberFormatting.delta(r.deltaPerplexity),
                      rec.isBase ? "–" : NumberFormatting.relative(r.relativeDeltaPerplexity),
                      r.versusBase.map(Verdict.percent) ?? "–",
                      r.sensitivity?.description ?? (rec.diverged ? "diverged" : "–")]
            if m.hasKL { cells += [NumberFormatting.kl(rec.klDivergence), NumberFormatting.percent(rec.top1Agreement)] }
            if !m.zeroShotTasks.isEmpty { cells.append(NumberFormatting.score(r.zeroShotMean)) }
            cells.append(flags(r, base: m.base))
            return cells
        }
        return ReportTable(headers: headers, numeric: numeric, rows: rows)
    }

    /// `Q4_1 5.000`, or `–` when no ggml block type holds the scheme.
    static func ggufCell(_ r: ExperimentRecord) -> String {
        guard let type = r.ggufType, let bits = r.ggufBits else { return "–" }
        return "\(type) \(NumberFormatting.bits(bits))"
    }

    /// `reference`, `no measurable loss`, `Pareto (bits, bytes)`, `diverged`, `† optimistic: …`, diagnostics, joined by `; `.
    static func flags(_ r: AnalyzedRow, base: AnalyzedRow?) -> String {
        var f: [String] = []
        if r.record.isBase { f.append(r.record.id == base?.record.id ? "reference (as stored in its source)" : "older base run") }
        if let c = r.baseComparison { f.append(c) }
        switch (r.onBitsFrontier, r.onBytesFrontier) {
        case (true, true): f.append("Pareto (bits, bytes)")
        case (true, false): f.append("Pareto (bits)")
        case (false, true): f.append("Pareto (bytes)")
        case (false, false): break
        }
        if r.record.gridAligned { f.append(gridAlignedFlag) }
        if let d = r.record.diagnostics { f.append("⚑ " + d) }
        return f.joined(separator: "; ")
    }

    /// Score per task per row with zero-shot data, mean, and the mean's difference from the base.
    static func zeroShot(_ m: ModelAnalysis) -> ReportTable {
        let headers = ["recipe"] + m.zeroShotTasks + ["mean", "Δ mean vs base", "flags"]
        let numeric = [false] + m.zeroShotTasks.map { _ in true } + [true, true, false]
        let rows = m.rows.filter { !$0.record.zeroShot.isEmpty }.map { r -> [String] in
            [r.recipe + (r.record.seed.map { " seed \($0)" } ?? "")]
                + m.zeroShotTasks.map { NumberFormatting.score(r.record.zeroShot[$0]?.score) }
                + [NumberFormatting.score(r.zeroShotMean), r.record.isBase ? "–" : NumberFormatting.signedScore(r.zeroShotDelta),
                   r.record.gridAligned ? "† grid-aligned" : ""]
        }
        return ReportTable(headers: headers, numeric: numeric, rows: rows)
    }

    /// A verdict's pairs: what they share, both recipes and their PPL, ΔPPL with its interval, the
    /// outcome, and the KL and zero-shot differences on the same windows and documents.
    static func evidence(_ v: Verdict, showModel: Bool) -> ReportTable {
        var headers = showModel ? ["model"] : []
        headers += ["pair", v.claimedLabel, "mean PPL", v.otherLabel, "mean PPL", "ΔPPL (95% CI)", "outcome", "ΔKL (95% CI)",
                    "Δ zero-shot (95% CI)", "flags"]
        let numeric = (showModel ? [false] : []) + [false, false, true, false, true, false, false, false, false, false]
        let rows = v.pairs.map { p -> [String] in
            var cells = showModel ? [p.claimed.record.model] : []
            cells += [p.context, p.claimed.label, NumberFormatting.perplexity(p.claimed.meanPerplexity), p.other.label,
                      NumberFormatting.perplexity(p.other.meanPerplexity), p.nll.map(Verdict.percent) ?? "–", p.outcome.rawValue,
                      p.kl.map { NumberFormatting.interval($0, digits: 4) } ?? "–",
                      p.zeroShot.map { NumberFormatting.interval($0, digits: 3) } ?? "–",
                      p.involvesGridAligned ? "† grid-aligned row" : ""]
            return cells
        }
        return ReportTable(headers: headers, numeric: numeric, rows: rows)
    }

    /// The recipe per budget, with what it stores and costs, and whether the base itself fits.
    static func recommendations(_ m: ModelAnalysis) -> ReportTable {
        let headers = ["budget", "recipe", "eff. bits", "GPTQ bits", "GGUF", "model MiB", "mean PPL", "ΔPPL", "rel. ΔPPL",
                       "class", "vs base", "zero-shot mean", "notes"]
        let numeric = [false, false, true, true, false, true, true, true, true, false, false, true, false]
        let rows = m.recommendations.map { rec -> [String] in
            let r = rec.row, c = rec.choice
            var notes: [String] = []
            if rec.best != c { notes.append("best measured: \(rec.best.label) (PPL \(NumberFormatting.perplexity(rec.best.meanPerplexity))), within noise") }
            if !rec.alternatives.isEmpty {
                notes.append("also within noise: " + rec.alternatives.prefix(3).map(\.label).joined(separator: ", ")
                             + (rec.alternatives.count > 3 ? ", …" : ""))
            }
            if rec.baseFits, let base = m.base {
                notes.append("the base model as stored (\(NumberFormatting.bits(base.record.effectiveBits)) bits) fits too")
            }
            if c.members.contains(where: \.gridAligned) { notes.append(gridAlignedFlag) }
            return [rec.budget.description, c.label, NumberFormatting.bits(c.record.effectiveBits),
                    c.record.gptqBits.map(NumberFormatting.bits) ?? "–", ggufCell(c.record),
                    c.record.modelBytes.map(NumberFormatting.mebibytes) ?? "–", NumberFormatting.perplexity(c.meanPerplexity),
                    NumberFormatting.delta(r.deltaPerplexity), NumberFormatting.relative(r.relativeDeltaPerplexity),
                    r.sensitivity?.description ?? "–", r.baseComparison ?? (r.versusBase.map(Verdict.percent) ?? "–"),
                    NumberFormatting.score(r.zeroShotMean), notes.joined(separator: "; ")]
        }
        return ReportTable(headers: headers, numeric: numeric, rows: rows)
    }

    /// Per method, the lowest-bit Class-1 and Class-2 recipes.
    static func sensitivity(_ m: ModelAnalysis) -> ReportTable {
        func cell(_ r: AnalyzedRow?) -> String {
            guard let r else { return "none" }
            return "\(r.record.spec ?? "") (\(NumberFormatting.bits(r.record.effectiveBits)) bits, ΔPPL \(NumberFormatting.delta(r.deltaPerplexity)))"
        }
        return ReportTable(headers: ["method", "recipes", "lowest-bit Class-1 (ΔPPL ≤ 0.1)", "lowest-bit Class-2 (ΔPPL ≤ 0.5)"],
                           numeric: [false, true, false, false],
                           rows: m.sensitivity.map { [$0.method, "\($0.recipes)", cell($0.class1), cell($0.class2)] })
    }

    /// Across models (several in one report): size, base perplexity, sensitivity and the recipe per bit budget.
    static func acrossModels(_ analyses: [ModelAnalysis]) -> ReportTable {
        let budgets = Budget.defaultBits.map(Budget.weightBits)
        var headers = ["model", "plan", "parameters", "base PPL", "lowest-bit Class-1", "lowest-bit Class-2"]
        headers += budgets.map(\.description)
        let numeric = [false, false, true, true, false, false] + budgets.map { _ in false }
        let rows = analyses.sorted { ($0.parameters ?? 0, $0.model) < ($1.parameters ?? 0, $1.model) }.map { m -> [String] in
            func lowest(_ pick: (MethodSensitivity) -> AnalyzedRow?) -> String {
                let best = m.sensitivity.compactMap(pick).min { $0.record.effectiveBits < $1.record.effectiveBits }
                return best.map { "\($0.recipe) (\(NumberFormatting.bits($0.record.effectiveBits)) bits)" } ?? "none"
            }
            var cells = [m.model, m.planID, m.parameters.map { NumberFormatting.count($0) } ?? "–",
                         NumberFormatting.perplexity(m.basePerplexity), lowest(\.class1), lowest(\.class2)]
            cells += budgets.map { b in
                guard let rec = m.recommendations.first(where: { $0.budget == b }) else { return "–" }
                return "\(rec.choice.label) (\(rec.row.sensitivity?.description ?? "–"))"
            }
            return cells
        }
        return ReportTable(headers: headers, numeric: numeric, rows: rows)
    }
}
