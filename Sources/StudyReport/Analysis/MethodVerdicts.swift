import Study

/// Verdict 1 of the study: does fine-grained quantization plus a real PTQ method (GPTQ,
/// ZeroQuant-local) beat RTN? And its companion: does fine-grained RTN beat per-row RTN?
/// Every pair differs only in the factor under test.
enum MethodVerdicts {
    /// Methods that fit weights to calibration data.
    static let calibratedMethods = ["gptq", "zq-local", "zq-global"]

    /// The method without options that change its result (no act-order, static groups, custom
    /// damping, MSE clipping or LoRC).
    static func isPlain(_ r: ExperimentRecord) -> Bool {
        !r.actOrder && r.staticGroups != true && r.mseClip != true && r.lorcRank == nil && (r.damping.map { $0 == 0.01 } ?? true)
    }

    /// Each plain GPTQ / ZQ-local recipe (seeds averaged; one pair per calibration setting) against
    /// plain RTN at the same spec (activation included), groups ≤ 256 only: per-row and coarser
    /// pairs are not evidence for the fine-grained claim.
    static func calibratedBeatsRTN(_ recipes: [RecipeRow]) -> Verdict {
        let question = "Does fine-grained quantization (groups ≤ 256) plus GPTQ, ZQ-local or ZQ-global beat RTN at the same scheme?"
        let plain = recipes.filter { !$0.record.isBase && $0.record.spec != nil && isPlain($0.record) }
        let rtn = Dictionary(grouping: plain.filter { $0.record.method == "rtn" }) { $0.record.spec! }
        var pairs: [VerdictPair] = []
        for r in plain where calibratedMethods.contains(r.record.method) && r.record.isFineGrained {
            guard let other = rtn[r.record.spec!]?.first else { continue }
            let calibration = r.record.calibrationLabel.map { ", \($0)" } ?? ""
            pairs.append(VerdictPair(context: "\(r.record.spec!): \(r.record.method) vs rtn\(calibration)", claimed: r, other: other))
        }
        pairs.sort { $0.context < $1.context }
        let missing: String
        if rtn.isEmpty {
            missing = "no plain RTN recipe to compare"
        } else if !plain.contains(where: { calibratedMethods.contains($0.record.method) }) {
            missing = "no plain GPTQ, ZQ-local or ZQ-global recipe (without act-order, LoRC or other options) to compare"
        } else {
            missing = "no fine-grained spec (group ≤ 256) has both an RTN and a GPTQ/ZQ recipe"
        }
        return Verdict(question: question, claimedLabel: "GPTQ / ZQ", otherLabel: "RTN", pairs: pairs, missing: missing)
    }

    /// Plain fine-grained RTN (groups ≤ 256) against plain per-row RTN of the same bits, symmetry
    /// and activation scheme.
    static func fineRTNBeatsPerRow(_ recipes: [RecipeRow]) -> Verdict {
        let question = "Does fine-grained RTN (groups ≤ 256) beat per-row RTN at the same bits?"
        let rtn = recipes.filter { $0.record.method == "rtn" && !$0.record.isBase && isPlain($0.record) }
        let perRow = rtn.filter(\.record.isPerRow)
        var pairs: [VerdictPair] = []
        for fine in rtn.filter(\.record.isFineGrained) {
            guard let row = perRow.first(where: { $0.record.sameSchemeExceptGranularity(fine.record) }) else { continue }
            pairs.append(VerdictPair(context: "w\(fine.record.weightBits ?? 0)a\(fine.record.activationBits) \(fine.record.granularityLabel) vs row",
                                     claimed: fine, other: row))
        }
        pairs.sort { $0.context < $1.context }
        let missing = perRow.isEmpty ? "no per-row RTN recipe to compare"
            : "no fine-grained RTN recipe shares bits, symmetry and activation scheme with a per-row RTN recipe"
        return Verdict(question: question, claimedLabel: "fine-grained RTN", otherLabel: "per-row RTN", pairs: pairs, missing: missing)
    }
}
