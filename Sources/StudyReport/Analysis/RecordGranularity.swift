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

extension ExperimentRecord {
    /// Same spec as `other` but for the granularity (`w4a16-g32-asym` and `w4a16-row-asym`).
    func sameSchemeExceptGranularity(_ other: ExperimentRecord) -> Bool {
        func rest(_ spec: String?) -> [Substring]? {
            guard var parts = spec?.split(separator: "-"), parts.count >= 2 else { return nil }
            parts.remove(at: 1)
            return parts
        }
        guard let a = rest(spec), let b = rest(other.spec) else { return false }
        return a == b
    }
}
