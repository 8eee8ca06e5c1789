import Study

/// One experiment with what the analysis derives from it against its model's base row.
public struct AnalyzedRow: Sendable, Equatable {
    /// The results row itself.
    public let record: ExperimentRecord
    /// Mean PPL minus the base's mean PPL (nil without perplexity or base; 0 for the base).
    public let deltaPerplexity: Double?
    /// ΔPPL divided by the base's mean PPL.
    public let relativeDeltaPerplexity: Double?
    /// ZeroQuant-V2 class from the absolute ΔPPL (nil for the base and rows without perplexity).
    public let sensitivity: SensitivityClass?
    /// Mean zero-shot score over the row's tasks, and its difference from the base over shared tasks.
    public let zeroShotMean: Double?
    /// Zero-shot mean minus the base's, over the tasks both have.
    public let zeroShotDelta: Double?
    /// On the model's quality-vs-effective-bits and quality-vs-bytes Pareto frontiers.
    public internal(set) var onBitsFrontier: Bool = false
    /// On the quality-vs-bytes Pareto frontier.
    public internal(set) var onBytesFrontier: Bool = false

    /// Derives the row's metrics against `base` (which may be the row itself or absent).
    init(record: ExperimentRecord, base: ExperimentRecord?) {
        self.record = record
        if let ppl = record.meanPerplexity, let basePPL = base?.meanPerplexity {
            let delta = ppl - basePPL
            deltaPerplexity = delta
            relativeDeltaPerplexity = basePPL > 0 ? delta / basePPL : nil
            sensitivity = record.isBase ? nil : SensitivityClass(deltaPerplexity: delta)
        } else {
            deltaPerplexity = nil
            relativeDeltaPerplexity = nil
            sensitivity = nil
        }
        zeroShotMean = ZeroShotScores.mean(record.zeroShot)
        zeroShotDelta = base.flatMap { ZeroShotScores.delta(record.zeroShot, base: $0.zeroShot) }
    }

    /// `w4a16-g128-asym gptq+lorc8`, or `base`.
    public var recipe: String { record.recipe }
}
