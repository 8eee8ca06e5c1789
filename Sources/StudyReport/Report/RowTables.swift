/// Tables built from analyzed rows: all results, zero-shot scores, verdict evidence, recommendations.
enum RowTables {
    /// The flag text a grid-aligned row carries wherever it appears.
    static let gridAlignedFlag = "† optimistic: lies on the base model's storage grid"

    /// Every row of one model with perplexities, deltas, class, KL and flags.
    static func results(_ m: ModelAnalysis) -> ReportTable {
        var headers = ["spec", "method", "eff. bits", "MiB"] + m.corpora.map { "PPL \($0)" }
        headers += ["mean PPL", "ΔPPL", "rel. ΔPPL", "class"]
        if m.hasKL { headers += ["KL", "top-1"] }
        if !m.zeroShotTasks.isEmpty { headers += ["zero-shot mean"] }
        headers += ["flags"]
        var numeric = [false, false, true, true] + m.corpora.map { _ in true } + [true, true, true, false]
        if m.hasKL { numeric += [true, true] }
        if !m.zeroShotTasks.isEmpty { numeric += [true] }
        numeric += [false]
        let rows = m.rows.map { r -> [String] in
            let rec = r.record
            var cells = [rec.spec ?? "–", rec.methodLabel, NumberFormatting.bits(rec.effectiveBits), NumberFormatting.mebibytes(rec.bytes)]
            cells += m.corpora.map { NumberFormatting.perplexity(rec.perplexity[$0]) }
            cells += [NumberFormatting.perplexity(rec.meanPerplexity),
                      rec.isBase ? "–" : NumberFormatting.delta(r.deltaPerplexity),
                      rec.isBase ? "–" : NumberFormatting.relative(r.relativeDeltaPerplexity),
                      r.sensitivity?.description ?? "–"]
            if m.hasKL { cells += [NumberFormatting.kl(rec.klDivergence), NumberFormatting.percent(rec.top1Agreement)] }
            if !m.zeroShotTasks.isEmpty { cells += [NumberFormatting.score(r.zeroShotMean)] }
            cells.append(flags(r, base: m.base))
            return cells
        }
        return ReportTable(headers: headers, numeric: numeric, rows: rows)
    }

    /// `base`, `Pareto (bits, bytes)`, `† optimistic: …`, joined by `; `.
    static func flags(_ r: AnalyzedRow, base: AnalyzedRow?) -> String {
        var f: [String] = []
        if r.record.isBase { f.append(r.record.id == base?.record.id ? "reference" : "older base run") }
        switch (r.onBitsFrontier, r.onBytesFrontier) {
        case (true, true): f.append("Pareto (bits, bytes)")
        case (true, false): f.append("Pareto (bits)")
        case (false, true): f.append("Pareto (bytes)")
        case (false, false): break
        }
        if r.record.gridAligned { f.append(gridAlignedFlag) }
        return f.joined(separator: "; ")
    }

    /// Score per task per row with zero-shot data, mean, and the mean's difference from the base.
    static func zeroShot(_ m: ModelAnalysis) -> ReportTable {
        let headers = ["recipe"] + m.zeroShotTasks + ["mean", "Δ mean vs base", "flags"]
        let numeric = [false] + m.zeroShotTasks.map { _ in true } + [true, true, false]
        let rows = m.rows.filter { !$0.record.zeroShot.isEmpty }.map { r -> [String] in
            [r.recipe] + m.zeroShotTasks.map { NumberFormatting.score(r.record.zeroShot[$0]?.score) }
                + [NumberFormatting.score(r.zeroShotMean), r.record.isBase ? "–" : NumberFormatting.signedScore(r.zeroShotDelta),
                   r.record.gridAligned ? "† grid-aligned" : ""]
        }
        return ReportTable(headers: headers, numeric: numeric, rows: rows)
    }

    /// A verdict's pairs: what they share, both rows and their PPL, and who won.
    static func evidence(_ v: Verdict, showModel: Bool) -> ReportTable {
        var headers = showModel ? ["model"] : []
        headers += ["pair", v.claimedLabel, "bits", "mean PPL", v.otherLabel, "bits", "mean PPL", "result", "flags"]
        let numeric = (showModel ? [false] : []) + [false, false, true, true, false, true, true, false, false]
        let rows = v.pairs.map { p -> [String] in
            let result: String
            switch p.supports {
            case true?: result = "win"
            case false?: result = "loss"
            case nil: result = "tie"
            }
            var cells = showModel ? [p.claimed.model] : []
            cells += [p.context, p.claimed.recipe, NumberFormatting.bits(p.claimed.effectiveBits),
                      NumberFormatting.perplexity(p.claimed.meanPerplexity), p.other.recipe,
                      NumberFormatting.bits(p.other.effectiveBits), NumberFormatting.perplexity(p.other.meanPerplexity),
                      result, p.involvesGridAligned ? "† grid-aligned row" : ""]
            return cells
        }
        return ReportTable(headers: headers, numeric: numeric, rows: rows)
    }

    /// The best recipe per budget.
    static func recommendations(_ m: ModelAnalysis) -> ReportTable {
        let headers = ["budget (bits)", "recipe", "eff. bits", "MiB", "mean PPL", "ΔPPL", "rel. ΔPPL", "class", "zero-shot mean", "flags"]
        let numeric = [true, false, true, true, true, true, true, false, true, false]
        let rows = m.recommendations.map { rec -> [String] in
            let r = rec.row
            return ["≤ " + NumberFormatting.budget(rec.budgetBits), r.recipe, NumberFormatting.bits(r.record.effectiveBits),
                    NumberFormatting.mebibytes(r.record.bytes), NumberFormatting.perplexity(r.record.meanPerplexity),
                    NumberFormatting.delta(r.deltaPerplexity), NumberFormatting.relative(r.relativeDeltaPerplexity),
                    r.sensitivity?.description ?? "–", NumberFormatting.score(r.zeroShotMean),
                    r.record.gridAligned ? gridAlignedFlag : ""]
        }
        return ReportTable(headers: headers, numeric: numeric, rows: rows)
    }
}
