import Study

/// One experiment with what the analysis derives from it against the base row of its model and plan.
public struct AnalyzedRow: Sendable, Equatable {
    /// The results row itself.
    public let record: ExperimentRecord
    /// Mean PPL minus the base's mean PPL (nil without perplexity, base, or when diverged; 0 for the base).
    public let deltaPerplexity: Double?
    /// ΔPPL divided by the base's mean PPL.
    public let relativeDeltaPerplexity: Double?
    /// ZeroQuant-V2 class from the absolute ΔPPL (nil for the base, rows without perplexity, diverged rows).
    public let sensitivity: SensitivityClass?
    /// Paired ΔNLL against the base over the same windows, with its 95% interval.
    public let versusBase: PairedDifference?
    /// Mean zero-shot score over the row's tasks, and its difference from the base over shared tasks.
    public let zeroShotMean: Double?
    /// Zero-shot mean minus the base's, over the tasks both have.
    public let zeroShotDelta: Double?
    /// On the model's quality-vs-effective-bits Pareto frontier.
    public internal(set) var onBitsFrontier: Bool = false
    /// On the quality-vs-bytes Pareto frontier.
    public internal(set) var onBytesFrontier: Bool = false

    /// Derives the row's metrics against `base` (which may be the row itself or absent).
    init(record: ExperimentRecord, base: ExperimentRecord?, values: [String: RowValues]) {
        self.record = record
        if !record.diverged, let ppl = record.meanPerplexity, let basePPL = base?.meanPerplexity, basePPL.isFinite {
            let delta = ppl - basePPL
            deltaPerplexity = delta
            relativeDeltaPerplexity = basePPL > 0 ? delta / basePPL : nil
            sensitivity = record.isBase ? nil : SensitivityClass(deltaPerplexity: delta)
        } else {
            deltaPerplexity = nil
            relativeDeltaPerplexity = nil
            sensitivity = nil
        }
        if let base, !record.isBase, !record.diverged {
            versusBase = RowValues.difference((values[record.id] ?? RowValues()).windowNLL, (values[base.id] ?? RowValues()).windowNLL)
        } else {
            versusBase = nil
        }
        zeroShotMean = ZeroShotScores.mean(record.zeroShot)
        zeroShotDelta = base.flatMap { ZeroShotScores.delta(record.zeroShot, base: $0.zeroShot) }
    }

    /// `w4a16-g128-asym gptq+lorc8`, or `base`.
    public var recipe: String { record.recipe }

    /// Its difference from the base is within noise (the interval includes 0): "no measurable loss",
    /// even when its point estimate is below the base.
    public var noMeasurableLoss: Bool { versusBase?.includesZero ?? false }

    /// How the row compares with the base in words: `no measurable loss`, `measurably better than
    /// the base`, `diverged`, or nil (a measurable loss, or no interval).
    public var baseComparison: String? {
        if record.diverged { return "diverged" }
        guard let d = versusBase else { return nil }
        if d.includesZero { return "no measurable loss" }
        if d.isNegative { return "measurably better than the base" }
        return nil
    }
}
