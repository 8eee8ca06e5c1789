import Study

/// What two rows must share to be seeds of one recipe: every column that changes a result except
/// the calibration seed.
struct RecipeKey: Hashable, Comparable {
    let text: String

    init(_ r: ExperimentRecord) {
        let parts: [String] = [
            r.method, r.spec ?? "", "\(r.activationBits)", r.actOrder ? "ao" : "", r.staticGroups == true ? "sg" : "",
            r.mseClip == true ? "mse" : "", r.damping.map { "\($0)" } ?? "", r.lorcRank.map { "\($0)" } ?? "",
            r.lorcFactorBits.map { "\($0)" } ?? "", r.calibrationCorpus ?? "", r.calibrationSamples.map { "\($0)" } ?? "",
            r.calibrationLength.map { "\($0)" } ?? "", r.sequential.map { $0 ? "seq" : "nonseq" } ?? "",
            r.trueSequential.map { $0 ? "true-seq" : "one-probe" } ?? "", r.weightGrid ?? "",
        ]
        text = parts.joined(separator: "|")
    }

    static func < (a: RecipeKey, b: RecipeKey) -> Bool { a.text < b.text }
}

/// One recipe of a model and plan: its rows (one per calibration seed) and their average, which is
/// what verdicts and recommendations compare ("seeds are averaged before comparing").
public struct RecipeRow: Sendable, Equatable {
    /// The rows, by seed.
    public let members: [ExperimentRecord]
    /// Mean over seeds of the mean perplexity (NaN when any seed diverged).
    public let meanPerplexity: Double?
    /// Mean over seeds of the KL divergence and top-1 agreement.
    public let klDivergence: Double?
    /// Any seed's perplexity is NaN or infinite.
    public let diverged: Bool
    /// Per-unit values averaged over seeds.
    let values: RowValues

    init(members: [ExperimentRecord], values: [String: RowValues]) {
        self.members = members.sorted { ($0.seed ?? 0, $0.id) < ($1.seed ?? 0, $1.id) }
        let ppl = members.compactMap(\.meanPerplexity)
        meanPerplexity = ppl.count == members.count && !ppl.isEmpty ? ppl.reduce(0, +) / Double(ppl.count) : nil
        let kl = members.compactMap(\.klDivergence)
        klDivergence = kl.count == members.count && !kl.isEmpty ? kl.reduce(0, +) / Double(kl.count) : nil
        diverged = members.contains(where: \.diverged)
        self.values = RowValues(averaging: members.map { values[$0.id] ?? RowValues() })
    }

    /// The first seed's row: spec, bits, flags and sizes are the same for every seed.
    public var record: ExperimentRecord { members[0] }
    /// The seeds averaged (empty for uncalibrated recipes).
    public var seeds: [UInt64] { members.compactMap(\.seed) }

    /// `w4a16-g128-asym gptq` (+ ` (seeds 0, 1)` when several were averaged).
    public var label: String {
        let s = seeds
        return record.recipe + (s.count > 1 ? " (seeds \(s.map(String.init).joined(separator: ", ")))" : "")
    }
}
