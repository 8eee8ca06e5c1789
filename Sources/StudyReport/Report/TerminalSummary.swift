/// The short plain-text summary `ptqlab study` prints: per model, one line per verdict and the recommendations.
enum TerminalSummary {
    static func render(_ analysis: StudyAnalysis, title: String) -> String {
        guard !analysis.isEmpty else { return "\(title): no experiments.\n" }
        var out = "\(title): \(analysis.recordCount) experiments, \(analysis.models.count) model\(analysis.models.count == 1 ? "" : "s")\n"
        for m in analysis.models {
            let base = m.base.map { "base PPL \(NumberFormatting.perplexity($0.record.meanPerplexity))" } ?? "no base row"
            out += "\n\(m.model) (\(m.rows.count) rows, \(base))\n"
            out += "  fine-grained GPTQ/ZQ vs RTN: \(m.calibratedVerdict.line)\n"
            out += "  fine-grained vs per-row RTN: \(m.fineRTNVerdict.line)\n"
            out += "  higher bits + coarser groups at matched bits: \(m.matchedBitsVerdict.line)\n"
            if m.recommendations.isEmpty { out += "  no recipe fits a 3/4/5/8-bit budget\n" }
            for rec in m.recommendations {
                let r = rec.row
                var line = "  ≤ \(NumberFormatting.budget(rec.budgetBits)) bits: \(r.recipe) (\(NumberFormatting.bits(r.record.effectiveBits)) bits), "
                line += "PPL \(NumberFormatting.perplexity(r.record.meanPerplexity))"
                if let d = r.deltaPerplexity {
                    line += ", ΔPPL \(NumberFormatting.delta(d)) (\(NumberFormatting.relative(r.relativeDeltaPerplexity))), \(r.sensitivity?.description ?? "–")"
                }
                if let z = r.zeroShotMean { line += ", zero-shot \(NumberFormatting.score(z))" }
                if r.record.gridAligned { line += " † grid-aligned (optimistic)" }
                out += line + "\n"
            }
            if !m.gridAlignedRows.isEmpty {
                out += "  † \(m.gridAlignedRows.count) grid-aligned row\(m.gridAlignedRows.count == 1 ? "" : "s"): their error is understated\n"
            }
        }
        return out
    }
}
