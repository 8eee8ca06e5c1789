/// The short plain-text summary `ptqlab study` prints: per model and plan, one line per verdict and the recommendations.
enum TerminalSummary {
    static func render(_ analysis: StudyAnalysis, title: String) -> String {
        guard !analysis.isEmpty else { return "\(title): no experiments.\n" }
        var out = "\(title): \(analysis.recordCount) experiments, \(analysis.modelNames.count) model\(analysis.modelNames.count == 1 ? "" : "s")"
            + (analysis.models.count > analysis.modelNames.count ? ", \(analysis.models.count) model × plan analyses" : "") + "\n"
        for m in analysis.models {
            let base = m.base.map { "base PPL \(NumberFormatting.perplexity($0.record.meanPerplexity)) at \(NumberFormatting.bits($0.record.effectiveBits)) bits" } ?? "no base row"
            out += "\n\(m.model), plan \(m.planID) (\(m.rows.count) rows, \(base))\n"
            out += "  fine-grained GPTQ/ZQ vs RTN: \(m.calibratedVerdict.line)\n"
            out += "  fine-grained vs per-row RTN: \(m.fineRTNVerdict.line)\n"
            out += "  higher bits + coarser groups at matched bits (paper convention): \(m.matchedBitsVerdict.line)\n"
            out += "    under GPTQ-stored bits: \(m.matchedBitsStoredVerdict.line)\n"
            if m.recommendations.isEmpty { out += "  no recipe fits a budget\n" }
            for rec in m.recommendations {
                let r = rec.row, c = rec.choice
                var line = "  \(rec.budget): \(c.label) (\(NumberFormatting.bits(c.record.effectiveBits)) bits"
                    + (c.record.modelBytes.map { ", \(NumberFormatting.mebibytes($0)) MiB" } ?? "") + "), "
                line += "PPL \(NumberFormatting.perplexity(c.meanPerplexity))"
                if let d = r.deltaPerplexity {
                    line += ", ΔPPL \(NumberFormatting.delta(d)) (\(NumberFormatting.relative(r.relativeDeltaPerplexity))), \(r.sensitivity?.description ?? "–")"
                }
                if let comparison = r.baseComparison { line += ", \(comparison)" }
                if let z = r.zeroShotMean { line += ", zero-shot \(NumberFormatting.score(z))" }
                if c.members.contains(where: \.gridAligned) { line += " † grid-aligned (optimistic)" }
                out += line + "\n"
            }
            if !m.gridAlignedRows.isEmpty {
                out += "  † \(m.gridAlignedRows.count) grid-aligned row\(m.gridAlignedRows.count == 1 ? "" : "s"): their error is understated\n"
            }
            if !m.divergedRows.isEmpty { out += "  \(m.divergedRows.count) diverged row\(m.divergedRows.count == 1 ? "" : "s")\n" }
        }
        return out
    }
}
