import Study

/// Everything the report says about one model.
public struct ModelAnalysis: Sendable {
    /// The model as the study names it, and its architecture.
    public let model: String
    /// Architecture of its base row (else of its first row).
    public let architecture: String
    /// Its base row (the latest, if several), analyzed like the others.
    public let base: AnalyzedRow?
    /// Every row, base first, in table order.
    public let rows: [AnalyzedRow]
    /// Verdict 1 and its companion (fine-grained vs per-row RTN), and verdict 2.
    public let calibratedVerdict: Verdict
    /// Fine-grained RTN vs per-row RTN at the same bits.
    public let fineRTNVerdict: Verdict
    /// Verdict 2: higher bits with coarser groups vs lower bits with finer groups at matched effective bits.
    public let matchedBitsVerdict: Verdict
    /// Best recipe per effective-bits budget (3, 4, 5, 8 bits; budgets nothing fits are left out).
    public let recommendations: [Recommendation]
    /// Perplexity corpora and zero-shot tasks any row has, sorted.
    public let corpora: [String]
    /// Zero-shot tasks any row has, sorted.
    public let zeroShotTasks: [String]

    /// Analyzes the records of one model (records of other models must be filtered out first).
    public init(model: String, records: [ExperimentRecord]) {
        self.model = model
        let unique = Dictionary(records.map { ($0.id, $0) }, uniquingKeysWith: { a, b in
            (a.finishedAt, a.id) >= (b.finishedAt, b.id) ? a : b
        }).values.sorted(by: RowOrder.precedes)
        let baseRecord = BaseSelection.base(in: unique)
        architecture = baseRecord?.architecture ?? unique.first?.architecture ?? ""
        // Other base rows (older runs) are kept in the table, analyzed against the chosen one.
        var analyzed = unique.map { AnalyzedRow(record: $0, base: baseRecord) }
        Self.markFrontiers(&analyzed)
        rows = analyzed
        base = analyzed.first { $0.record.id == baseRecord?.id && $0.record.isBase }
        calibratedVerdict = MethodVerdicts.calibratedBeatsRTN(unique)
        fineRTNVerdict = MethodVerdicts.fineRTNBeatsPerRow(unique)
        matchedBitsVerdict = MatchedBitsVerdict.evaluate(unique)
        recommendations = Recommendations.recommend(analyzed)
        corpora = Array(Set(unique.flatMap(\.perplexity.keys))).sorted()
        zeroShotTasks = ZeroShotScores.tasks(in: unique)
    }

    /// Rows on the base model's storage grid (their error is understated).
    public var gridAlignedRows: [AnalyzedRow] { rows.filter(\.record.gridAligned) }
    /// Any row has a KL divergence or top-1 agreement.
    public var hasKL: Bool { rows.contains { $0.record.klDivergence != nil || $0.record.top1Agreement != nil } }
    /// Verdicts in the order the report shows them.
    public var verdicts: [Verdict] { [calibratedVerdict, fineRTNVerdict, matchedBitsVerdict] }
    /// The base's mean PPL, if there is a base with perplexity.
    public var basePerplexity: Double? { base?.record.meanPerplexity }

    /// Sets the Pareto flags over every row with perplexity (the base included: it anchors the frontier).
    private static func markFrontiers(_ rows: inout [AnalyzedRow]) {
        let scored = rows.indices.filter { rows[$0].record.meanPerplexity != nil }
        let losses = scored.map { rows[$0].record.meanPerplexity ?? .infinity }
        let bits = ParetoFrontier.members(costs: scored.map { rows[$0].record.effectiveBits }, losses: losses)
        let bytes = ParetoFrontier.members(costs: scored.map { Double(rows[$0].record.bytes) }, losses: losses)
        for (k, i) in scored.enumerated() {
            rows[i].onBitsFrontier = bits.contains(k)
            rows[i].onBytesFrontier = bytes.contains(k)
        }
    }
}
