import Experiment
import Study

/// Everything the report says about one model under one evaluation plan: rows of other models, of
/// another fingerprint of the model's files, or of another plan are never compared with these.
public struct ModelAnalysis: Sendable {
    /// The model as the study names it, and its architecture.
    public let model: String
    public let architecture: String
    /// The model's content fingerprint and the evaluation plan id shared by every row.
    public let fingerprint: String?
    public let planID: String
    /// The plan in words (context, windows, corpora, KL, tasks), when the rows carry it.
    public let planSummary: String?
    /// The base row of this plan (the latest, if several), analyzed like the others.
    public let base: AnalyzedRow?
    /// Every row, base first, in table order.
    public let rows: [AnalyzedRow]
    /// Recipes with their seeds averaged (what verdicts and recommendations compare).
    public let recipes: [RecipeRow]
    /// Verdict 1 and its companion.
    public let calibratedVerdict: Verdict
    public let fineRTNVerdict: Verdict
    /// Verdict 2 under the paper's bit convention, and the same question under GPTQ-stored bits.
    public let matchedBitsVerdict: Verdict
    public let matchedBitsStoredVerdict: Verdict
    /// Per budget (weight bits, then file sizes), the recipe to use.
    public let recommendations: [Recommendation]
    /// Budgets no quantized, non-diverged recipe fits.
    public let unmetBudgets: [Budget]
    /// Per method, the lowest-bit Class-1 and Class-2 recipes.
    public let sensitivity: [MethodSensitivity]
    /// Perplexity corpora and zero-shot tasks any row has, sorted.
    public let corpora: [String]
    public let zeroShotTasks: [String]
    /// All parameters of the model, from its rows.
    public let parameters: Int?

    /// Analyzes the records of one model and plan (records of others must be filtered out first).
    /// `budgets` nil: bits 3/4/5/8 plus ¼, ⅓ and ½ of the model's f16 size.
    public init(model: String, records: [ExperimentRecord], budgets: [Budget]? = nil) {
        self.model = model
        let unique = Dictionary(records.map { ($0.id, $0) }, uniquingKeysWith: { a, b in
            (a.finishedAt, a.id) >= (b.finishedAt, b.id) ? a : b
        }).values.sorted(by: RowOrder.precedes)
        let values = Dictionary(uniqueKeysWithValues: unique.map { ($0.id, RowValues($0)) })
        let baseRecord = unique.filter(\.isBase).max { ($0.finishedAt, $0.id) < ($1.finishedAt, $1.id) }
        architecture = baseRecord?.architecture ?? unique.first?.architecture ?? ""
        fingerprint = unique.first?.modelFingerprint
        planID = unique.first?.planKey ?? "unknown"
        planSummary = unique.lazy.compactMap { $0.config?.evaluation.summary }.first
        parameters = unique.lazy.compactMap(\.parameters).first
        var analyzed = unique.map { AnalyzedRow(record: $0, base: baseRecord, values: values) }
        Self.markFrontiers(&analyzed)
        rows = analyzed
        base = analyzed.first { $0.record.id == baseRecord?.id && $0.record.isBase }
        let groups = Dictionary(grouping: unique.filter { !$0.isBase }, by: RecipeKey.init)
        recipes = groups.keys.sorted().map { RecipeRow(members: groups[$0]!, values: values) }
            .sorted { RowOrder.precedes($0.record, $1.record) }
        calibratedVerdict = MethodVerdicts.calibratedBeatsRTN(recipes)
        fineRTNVerdict = MethodVerdicts.fineRTNBeatsPerRow(recipes)
        matchedBitsVerdict = MatchedBitsVerdict.evaluate(recipes, convention: .paper)
        matchedBitsStoredVerdict = MatchedBitsVerdict.evaluate(recipes, convention: .gptqStored)
        let chosen = budgets ?? (Budget.defaultBits.map(Budget.weightBits) + Recommendations.defaultMegabytes(parameters: parameters))
        let recommended = Recommendations.recommend(recipes, rows: analyzed, base: baseRecord, budgets: chosen)
        recommendations = recommended
        unmetBudgets = chosen.filter { b in !recommended.contains { $0.budget == b } }
        sensitivity = MethodSensitivity.of(analyzed)
        corpora = Array(Set(unique.flatMap(\.perplexity.keys))).sorted()
        zeroShotTasks = ZeroShotScores.tasks(in: unique)
    }

    /// Rows on the base model's storage grid (their error is understated).
    public var gridAlignedRows: [AnalyzedRow] { rows.filter(\.record.gridAligned) }
    /// Rows whose perplexity diverged (NaN or infinite).
    public var divergedRows: [AnalyzedRow] { rows.filter(\.record.diverged) }
    /// Rows with per-layer notes (damping raised, ZQ-local keeping RTN …).
    public var diagnosedRows: [AnalyzedRow] { rows.filter { $0.record.diagnostics != nil } }
    /// Any row has a KL divergence or top-1 agreement.
    public var hasKL: Bool { rows.contains { $0.record.klDivergence != nil || $0.record.top1Agreement != nil } }
    /// Verdicts in the order the report shows them.
    public var verdicts: [Verdict] { [calibratedVerdict, fineRTNVerdict, matchedBitsVerdict] }
    /// The base's mean PPL, if there is a base with perplexity.
    public var basePerplexity: Double? { base?.record.meanPerplexity }
    /// Bytes of what the quantized rows keep at f16 (embedding, LM head, norms): whole-model bytes
    /// minus block-linear bytes, the least over quantized rows (nil when no row knows its model bytes).
    public var unquantizedBytes: Int? {
        rows.filter { !$0.record.isBase }.compactMap { r in r.record.modelBytes.map { $0 - r.record.bytes } }.min()
    }

    /// `smollm2-135m · plan 1a2b3c4d5e6f`.
    public var title: String { "\(model) · plan \(planID)" }

    /// Sets the Pareto flags over every row with a finite perplexity (the base included: at its
    /// real storage it anchors the frontier).
    private static func markFrontiers(_ rows: inout [AnalyzedRow]) {
        let scored = rows.indices.filter { rows[$0].record.meanPerplexity?.isFinite == true }
        let losses = scored.map { rows[$0].record.meanPerplexity ?? .infinity }
        let bits = ParetoFrontier.members(costs: scored.map { rows[$0].record.effectiveBits }, losses: losses)
        let bytes = ParetoFrontier.members(costs: scored.map { Double(rows[$0].record.modelBytes ?? rows[$0].record.bytes) },
                                           losses: losses)
        for (k, i) in scored.enumerated() {
            rows[i].onBitsFrontier = bits.contains(k)
            rows[i].onBytesFrontier = bytes.contains(k)
        }
    }
}
