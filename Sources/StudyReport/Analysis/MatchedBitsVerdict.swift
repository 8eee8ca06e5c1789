import Study

/// Verdict 2: at matched effective bits, do higher bits with coarse groups beat lower bits with fine groups?
enum MatchedBitsVerdict {
    /// Largest effective-bits difference that still counts as matched.
    static let tolerance = 0.15

    /// Pairs of rows of one method (same activation bits, no LoRC) whose weight bits differ, whose
    /// effective bits are within `tolerance`, and whose higher-bit row is the coarser one.
    static func evaluate(_ rows: [ExperimentRecord]) -> Verdict {
        let question = "At matched effective bits (±\(tolerance)), do higher bits with coarser groups beat lower bits with finer groups?"
        let scored = rows.filter { !$0.isBase && $0.meanPerplexity != nil && $0.lorcRank == nil && $0.weightBits != nil }
            .sorted(by: RowOrder.precedes)
        var pairs: [VerdictPair] = []
        for (i, a) in scored.enumerated() {
            for b in scored[(i + 1)...] {
                guard a.methodLabel == b.methodLabel, a.activationBits == b.activationBits,
                      let bitsA = a.weightBits, let bitsB = b.weightBits, bitsA != bitsB,
                      abs(a.effectiveBits - b.effectiveBits) <= tolerance + 1e-9 else { continue }
                let (high, low) = bitsA > bitsB ? (a, b) : (b, a)
                guard high.coarseness > low.coarseness else { continue }
                let context = "\(high.methodLabel) a\(high.activationBits): w\(high.weightBits ?? 0) \(high.granularityLabel) vs w\(low.weightBits ?? 0) \(low.granularityLabel)"
                pairs.append(VerdictPair(context: context, claimed: high, other: low))
            }
        }
        pairs.sort { ($0.claimed.methodLabel, $0.context) < ($1.claimed.methodLabel, $1.context) }
        let missing = scored.isEmpty ? "no quantized row with perplexity"
            : "no two rows of one method with different weight bits lie within \(tolerance) effective bits"
        return Verdict(question: question, claimedLabel: "higher bits, coarser", otherLabel: "lower bits, finer",
                       pairs: pairs, missing: missing)
    }
}
