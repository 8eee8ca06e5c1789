import Study

/// Granularity facts the analysis compares rows by.
extension ExperimentRecord {
    /// Larger is coarser: per-tensor, then per-row, then groups by size (base rows: 0).
    var coarseness: Int {
        guard weightBits != nil else { return 0 }
        switch groupSize {
        case nil: return Int.max - 1
        case 0?: return Int.max
        case let k?: return k
        }
    }

    /// Group-wise with groups of at most 256 weights ("fine-grained" in the verdicts).
    var isFineGrained: Bool {
        guard weightBits != nil, let k = groupSize else { return false }
        return k > 0 && k <= 256
    }

    /// Per-row (per output channel) weight quantization.
    var isPerRow: Bool { weightBits != nil && groupSize == nil }

    /// `w4a16-g128-asym gptq+lorc8`; `base` for the base row.
    var recipe: String {
        guard !isBase else { return "base" }
        return "\(spec ?? "w\(weightBits.map(String.init) ?? "?")") \(methodLabel)"
    }
}
