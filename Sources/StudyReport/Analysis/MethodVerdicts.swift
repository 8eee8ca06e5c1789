import Study

/// Verdict 1: does fine-grained quantization plus GPTQ (or ZQ-local) beat RTN? And does
/// fine-grained RTN beat per-row RTN?
enum MethodVerdicts {
    /// Methods that fit weights to calibration data.
    static let calibratedMethods: Set<String> = ["gptq", "zq-local"]

    /// Best GPTQ/ZQ-local row (no LoRC) against the RTN row of the same spec and activation bits,
    /// at group sizes ≤ 256 only; per-row and coarser pairs are not evidence for the fine-grained claim.
    static func calibratedBeatsRTN(_ rows: [ExperimentRecord]) -> Verdict {
        let question = "Does fine-grained quantization (groups ≤ 256) plus GPTQ/ZQ-local beat RTN?"
        let scored = rows.filter { !$0.isBase && $0.meanPerplexity != nil && $0.lorcRank == nil && $0.spec != nil }
        let rtn = scored.filter { $0.method == "rtn" }
        let calibrated = scored.filter { calibratedMethods.contains($0.method) }
        var pairs: [VerdictPair] = []
        for key in Set(scored.map(SpecKey.init)).sorted() where key.fine {
            guard let plain = latest(rtn.filter { SpecKey($0) == key }),
                  let best = best(calibrated.filter { SpecKey($0) == key }) else { continue }
            pairs.append(VerdictPair(context: key.spec, claimed: best, other: plain))
        }
        let missing: String
        if rtn.isEmpty {
            missing = "no RTN row to compare"
        } else if calibrated.isEmpty {
            missing = "no GPTQ or ZQ-local row (without LoRC) to compare"
        } else {
            missing = "no fine-grained spec (group ≤ 256) has both an RTN and a GPTQ/ZQ-local row"
        }
        return Verdict(question: question, claimedLabel: "best GPTQ/ZQ-local", otherLabel: "RTN",
                       pairs: pairs, missing: missing)
    }

    /// Fine-grained RTN (groups ≤ 256) against per-row RTN of the same bits, symmetry and activation bits.
    static func fineRTNBeatsPerRow(_ rows: [ExperimentRecord]) -> Verdict {
        let question = "Does fine-grained RTN (groups ≤ 256) beat per-row RTN at the same bits?"
        let rtn = rows.filter { $0.method == "rtn" && $0.lorcRank == nil && $0.meanPerplexity != nil && !$0.isBase }
        let perRow = rtn.filter(\.isPerRow)
        var pairs: [VerdictPair] = []
        for fine in rtn.filter(\.isFineGrained).sorted(by: RowOrder.precedes) {
            let match = perRow.filter {
                $0.weightBits == fine.weightBits && $0.symmetric == fine.symmetric
                    && $0.activationBits == fine.activationBits && $0.spec?.hasSuffix("-static") == fine.spec?.hasSuffix("-static")
            }
            guard let row = latest(match) else { continue }
            pairs.append(VerdictPair(context: "w\(fine.weightBits ?? 0)a\(fine.activationBits) \(fine.granularityLabel) vs row",
                                     claimed: fine, other: row))
        }
        let missing = perRow.isEmpty ? "no per-row RTN row to compare"
            : "no fine-grained RTN row shares bits and activation bits with a per-row RTN row"
        return Verdict(question: question, claimedLabel: "fine-grained RTN", otherLabel: "per-row RTN",
                       pairs: pairs, missing: missing)
    }

    /// The row with the lowest mean PPL (ties: the earlier in row order).
    static func best(_ rows: [ExperimentRecord]) -> ExperimentRecord? {
        rows.sorted(by: RowOrder.precedes).min { ($0.meanPerplexity ?? .infinity) < ($1.meanPerplexity ?? .infinity) }
    }

    /// The most recently finished row (ties: by id).
    static func latest(_ rows: [ExperimentRecord]) -> ExperimentRecord? {
        rows.max { ($0.finishedAt, $0.id) < ($1.finishedAt, $1.id) }
    }
}

/// A spec and activation bits, what two methods must share to be compared.
struct SpecKey: Hashable, Comparable {
    let spec: String
    let activationBits: Int
    let fine: Bool

    init(_ record: ExperimentRecord) {
        spec = record.spec ?? ""
        activationBits = record.activationBits
        fine = record.isFineGrained
    }

    static func < (a: SpecKey, b: SpecKey) -> Bool { (a.spec, a.activationBits) < (b.spec, b.activationBits) }
}
