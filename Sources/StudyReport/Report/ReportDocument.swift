/// Lays out the report's content as blocks: what was run, then per model its rows, charts,
/// zero-shot scores, verdicts, recommendations and grid-alignment notes.
enum ReportDocument {
    static func blocks(_ analysis: StudyAnalysis, title: String, charts: [ReportChart]) -> [ReportBlock] {
        var out: [ReportBlock] = [.heading(level: 1, text: title)]
        guard !analysis.isEmpty else {
            out.append(.paragraph("No experiments: the results set has no rows, so there is nothing to analyse."))
            return out
        }
        out.append(.heading(level: 2, text: "What was run"))
        out.append(.bullets([
            "Models (\(analysis.models.count)): " + analysis.models.map { "\($0.model) (\($0.architecture), \($0.rows.count) rows)" }.joined(separator: ", "),
            "Experiments: \(analysis.recordCount) rows from studies " + analysis.studies.joined(separator: ", "),
            "Methods: " + analysis.methods.joined(separator: ", "),
            "Specs (\(analysis.specs.count)): " + (analysis.specs.isEmpty ? "none" : analysis.specs.joined(separator: ", ")),
        ]))
        out.append(.paragraph(
            "ΔPPL is a row's mean perplexity (over the corpora it was evaluated on) minus its model's base mean perplexity; " +
            "the class is ZeroQuant-V2's, from the absolute ΔPPL (Class-1 ≤ 0.1, Class-2 ≤ 0.5, Class-3 > 0.5); " +
            "relative ΔPPL (ΔPPL / base) is shown beside it because small models have large perplexities. " +
            "Pareto: no other row has fewer or equal bits (bytes) and lower perplexity. " +
            "† marks rows whose scheme lies on the base model's own storage grid: their error is understated (optimistic)."))
        if analysis.models.count > 1 {
            out.append(.heading(level: 2, text: "All models together"))
            for v in analysis.pooledVerdicts {
                out.append(.labeled(label: v.question, text: "→ " + v.line))
            }
        }
        for m in analysis.models {
            out += modelBlocks(m, charts: charts.filter { $0.model == m.model })
        }
        return out
    }

    private static func modelBlocks(_ m: ModelAnalysis, charts: [ReportChart]) -> [ReportBlock] {
        var out: [ReportBlock] = [.heading(level: 2, text: "Model: \(m.model)")]
        if let base = m.base {
            out.append(.paragraph("Architecture \(m.architecture). Base: mean perplexity \(NumberFormatting.perplexity(base.record.meanPerplexity)) " +
                                  "at \(NumberFormatting.bits(base.record.effectiveBits)) bits (\(NumberFormatting.mebibytes(base.record.bytes)) MiB), " +
                                  "study \(base.record.study), finished \(base.record.finishedAt)."))
        } else {
            out.append(.paragraph("Architecture \(m.architecture). No base row: ΔPPL, classes and zero-shot deltas are not available."))
        }
        out.append(.heading(level: 3, text: "Results"))
        out.append(.table(RowTables.results(m)))
        for chart in charts where chart.kind == .qualityBits { out.append(.chart(chart)) }
        let heatMaps = charts.filter { $0.kind == .heatMap }
        if !heatMaps.isEmpty {
            out.append(.heading(level: 3, text: "ΔPPL heat maps"))
            out += heatMaps.map(ReportBlock.chart)
        }
        if !m.zeroShotTasks.isEmpty {
            out.append(.heading(level: 3, text: "Zero-shot"))
            out.append(.table(RowTables.zeroShot(m)))
            for chart in charts where chart.kind == .zeroShot { out.append(.chart(chart)) }
        }
        out.append(.heading(level: 3, text: "Verdicts"))
        for v in m.verdicts {
            out.append(.labeled(label: v.question, text: "→ " + v.line))
            if !v.pairs.isEmpty { out.append(.table(RowTables.evidence(v, showModel: false))) }
        }
        out.append(.heading(level: 3, text: "Recommendations"))
        if m.recommendations.isEmpty {
            out.append(.paragraph("No quantized row with perplexity fits a budget of 3, 4, 5 or 8 effective bits."))
        } else {
            out.append(.paragraph("Lowest mean perplexity within each effective-bits budget (ties: fewer bits). Budgets nothing fits are left out. " +
                                  "Effective bits include scales and zero-points, so an 8-bit per-row scheme (≈ 8.05 bits) does not fit the 8-bit budget."))
            out.append(.table(RowTables.recommendations(m)))
        }
        out.append(.heading(level: 3, text: "Grid alignment"))
        out += GridAlignmentNotes.blocks(m)
        return out
    }
}
