/// Lays out the report's content as blocks: what was run and how rows are compared, then per
/// model and evaluation plan its rows, charts, zero-shot scores, verdicts, sensitivity,
/// recommendations, diagnostics and grid-alignment notes.
enum ReportDocument {
    static func blocks(_ analysis: StudyAnalysis, title: String, charts: [ReportChart]) -> [ReportBlock] {
        var out: [ReportBlock] = [.heading(level: 1, text: title)]
        guard !analysis.isEmpty else {
            out.append(.paragraph("No experiments: the results set has no rows, so there is nothing to analyse."))
            return out
        }
        out.append(.heading(level: 2, text: "What was run"))
        out.append(.bullets([
            "Models (\(analysis.modelNames.count)): " + analysis.models.map {
                "\($0.model) (\($0.architecture), plan \($0.planID), \($0.rows.count) rows)" }.joined(separator: ", "),
            "Experiments: \(analysis.recordCount) rows from studies " + analysis.studies.joined(separator: ", "),
            "Methods: " + analysis.methods.joined(separator: ", "),
            "Specs (\(analysis.specs.count)): " + (analysis.specs.isEmpty ? "none" : analysis.specs.joined(separator: ", ")),
        ]))
        out.append(.heading(level: 2, text: "How rows are compared"))
        out.append(.bullets([
            "Rows are analysed per model and evaluation plan (context, windows, corpora, KL, tasks, limits, protocol: the plan id); " +
                "rows measured under different plans, or of different model files, are never compared, and each is compared with the base row of its own plan.",
            "ΔPPL is a row's mean perplexity (over its corpora) minus the base's; the class is ZeroQuant-V2's from the absolute ΔPPL " +
                "(Class-1 ≤ 0.1, Class-2 ≤ 0.5, Class-3 > 0.5); relative ΔPPL is shown because small models have large perplexities. " +
                "“Δ vs base” is the paired difference in mean NLL over the same windows as a perplexity ratio with its 95% interval: " +
                "a row whose interval includes 0 shows “no measurable loss”, never a gain.",
            "Bits are counted two ways. “eff. bits” is the paper's convention: codes plus an f16 scale and an f16 zero-point per group " +
                "(plus g_idx and LoRC factors). “GPTQ bits” is what a Hugging Face GPTQ checkpoint stores (b-bit packed zero-points, f16 scales, " +
                "a 32-bit g_idx per input column); “GGUF” names the ggml block type that holds the scheme and its bits per weight. " +
                "“model MiB” is the whole model: block linears as quantized, the embedding, LM head and every other tensor at f16. " +
                "The base row shows its source's real storage (e.g. a Q4_1 file is 5 bits per weight), not its f32 copy in memory.",
            "Verdicts: " + Verdict.rule,
            "Seeds of one recipe are averaged (window by window) before verdicts and recommendations compare it; the table lists every seed.",
            "A diverged row (NaN or infinite perplexity) is its own outcome: never a win or a loss, never recommended, sorted last.",
            "† marks rows whose scheme lies on the base model's own storage grid, measured: RTN of the base weights reproduces ≥ 99% " +
                "of them; their error is understated (optimistic).",
        ]))
        if analysis.modelNames.count > 1 {
            out.append(.heading(level: 2, text: "All models together"))
            out.append(.table(RowTables.acrossModels(analysis.models)))
            for v in analysis.pooledVerdicts {
                out.append(.labeled(label: v.question, text: "→ " + v.line + " (pooled over pairs of every model)"))
            }
        }
        for m in analysis.models {
            out += modelBlocks(m, charts: charts.filter { $0.model == m.model && $0.planID == m.planID })
        }
        return out
    }

    private static func modelBlocks(_ m: ModelAnalysis, charts: [ReportChart]) -> [ReportBlock] {
        var out: [ReportBlock] = [.heading(level: 2, text: "Model: \(m.model) (plan \(m.planID))")]
        if let summary = m.planSummary { out.append(.labeled(label: "Evaluation plan \(m.planID):", text: summary)) }
        if let base = m.base {
            out.append(.paragraph("Architecture \(m.architecture)" + (m.parameters.map { ", \(NumberFormatting.count($0)) parameters" } ?? "")
                                  + ". Base: mean perplexity \(NumberFormatting.perplexity(base.record.meanPerplexity)) " +
                                  "at \(NumberFormatting.bits(base.record.effectiveBits)) bits per block weight as stored" +
                                  (base.record.modelBytes.map { " (\(NumberFormatting.mebibytes($0)) MiB in all)" } ?? "") +
                                  ", study \(base.record.study), finished \(base.record.finishedAt)."))
        } else {
            out.append(.paragraph("Architecture \(m.architecture). No base row for this plan: ΔPPL, classes and zero-shot deltas are not available."))
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
        let stored = m.matchedBitsStoredVerdict
        out.append(.labeled(label: "The same question under GPTQ-stored bits:",
                            text: "→ " + stored.line + ". The matched-bits verdict depends on how scales and zero-points are counted: " +
                                "pairs that match under one convention may not under the other."))
        if !stored.pairs.isEmpty { out.append(.table(RowTables.evidence(stored, showModel: false))) }
        out.append(.heading(level: 3, text: "Sensitivity"))
        if m.sensitivity.isEmpty {
            out.append(.paragraph("No quantized row has a class (no base row, or no perplexity)."))
        } else {
            out.append(.paragraph("Per method, the lowest-bit recipe that stays in Class-1 and in Class-2 (ZeroQuant-V2's sensitivity; “none”: every recipe of the method is worse)."))
            out.append(.table(RowTables.sensitivity(m)))
        }
        out.append(.heading(level: 3, text: "Recommendations"))
        if m.recommendations.isEmpty {
            out.append(.paragraph("No quantized, non-diverged row with perplexity fits any budget."))
        } else {
            out.append(.paragraph("Per budget (weight bits as a format names them, or whole-model size in MB = 10⁶ bytes), among the recipes that fit: " +
                                  "the best is the lowest mean perplexity (seeds averaged); the recommendation is the smallest recipe whose paired " +
                                  "ΔNLL against the best is not measurably positive (95% interval includes 0). Diverged recipes are never recommended."))
            out.append(.table(RowTables.recommendations(m)))
        }
        if !m.unmetBudgets.isEmpty {
            var text = "Nothing fits " + m.unmetBudgets.map(\.description).joined(separator: ", ") + "."
            if let kept = m.unquantizedBytes {
                text += " The tensors the recipes keep at f16 (embedding, LM head, norms) alone take \(NumberFormatting.mebibytes(kept)) MiB"
                    + " (\(String(format: "%.1f", Double(kept) / 1_000_000)) MB): smaller files need them quantized too."
            }
            out.append(.paragraph(text))
        }
        let diagnosed = m.diagnosedRows
        if !diagnosed.isEmpty || !m.divergedRows.isEmpty {
            out.append(.heading(level: 3, text: "Diagnostics"))
            var lines = diagnosed.map { "\($0.recipe)\($0.record.seed.map { " seed \($0)" } ?? ""): \($0.record.diagnostics ?? "")" }
            lines += m.divergedRows.map { "\($0.recipe): diverged (mean perplexity \(NumberFormatting.perplexity($0.record.meanPerplexity)))" }
            out.append(.bullets(lines))
        }
        out.append(.heading(level: 3, text: "Grid alignment"))
        out += GridAlignmentNotes.blocks(m)
        return out
    }
}
