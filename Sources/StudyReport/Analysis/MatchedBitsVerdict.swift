import Study

/// Verdict 2 of the study: at matched effective bits, do higher bits with coarse groups beat lower
/// bits with fine groups? "Matched" depends on how bits are counted, so the verdict is taken under
/// a named convention and the report gives it under the other one too.
enum MatchedBitsVerdict {
    /// Largest effective-bits difference that still counts as matched.
    static let tolerance = 0.15

    /// How a recipe's bits per weight are counted.
    enum Convention: String, CaseIterable, Sendable {
        /// The study's: an f16 scale and an f16 zero-point per group.
        case paper = "paper convention (f16 scale + f16 zero per group)"
        /// What a GPTQ checkpoint stores: zero-points packed in b bits, f16 scales, a 32-bit g_idx per input column.
        case gptqStored = "GPTQ checkpoint as stored (b-bit zeros, f16 scales, g_idx)"

        func bits(_ r: ExperimentRecord) -> Double? {
            switch self {
            case .paper: r.effectiveBits
            case .gptqStored: r.gptqBits
            }
        }
    }

    /// Pairs of recipes of one method and options (same symmetry, activation and calibration) whose
    /// weight bits differ, whose bits under `convention` are within `tolerance`, and whose
    /// higher-bit recipe has the coarser grid.
    static func evaluate(_ recipes: [RecipeRow], convention: Convention = .paper) -> Verdict {
        let question = "At matched effective bits (±\(tolerance), \(convention.rawValue)), do higher bits with coarser groups beat lower bits with finer groups?"
        let scored = recipes.filter { !$0.record.isBase && $0.record.weightBits != nil && $0.record.lorcRank == nil }
            .sorted { RowOrder.precedes($0.record, $1.record) }
        var pairs: [VerdictPair] = []
        for (i, a) in scored.enumerated() {
            for b in scored[(i + 1)...] {
                let ra = a.record, rb = b.record
                guard ra.methodLabel == rb.methodLabel, ra.activationBits == rb.activationBits, ra.symmetric == rb.symmetric,
                      ra.calibrationLabel == rb.calibrationLabel,
                      let bitsA = ra.weightBits, let bitsB = rb.weightBits, bitsA != bitsB,
                      let ea = convention.bits(ra), let eb = convention.bits(rb), abs(ea - eb) <= tolerance + 1e-9 else { continue }
                let (high, low) = bitsA > bitsB ? (a, b) : (b, a)
                guard high.record.coarseness > low.record.coarseness else { continue }
                let context = "\(high.record.methodLabel) a\(high.record.activationBits): w\(high.record.weightBits ?? 0) \(high.record.granularityLabel) vs w\(low.record.weightBits ?? 0) \(low.record.granularityLabel)"
                pairs.append(VerdictPair(context: context, claimed: high, other: low))
            }
        }
        pairs.sort { $0.context < $1.context }
        let missing = scored.isEmpty ? "no quantized recipe with perplexity"
            : scored.allSatisfy({ convention.bits($0.record) == nil }) ? "no recipe records its bits under this convention"
            : "no two recipes of one method with different weight bits lie within \(tolerance) effective bits"
        return Verdict(question: question, claimedLabel: "higher bits, coarser", otherLabel: "lower bits, finer",
                       pairs: pairs, missing: missing)
    }
}
