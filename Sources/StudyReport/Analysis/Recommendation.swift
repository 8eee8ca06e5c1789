import Study

/// The best recipe within an effective-bits budget.
public struct Recommendation: Sendable, Equatable {
    /// Largest effective bits allowed.
    public let budgetBits: Double
    /// The chosen row: lowest mean PPL, ties broken by fewer bits.
    public let row: AnalyzedRow
}

/// Picks recommendations per budget.
enum Recommendations {
    /// Budgets in effective bits per weight.
    static let budgets: [Double] = [3, 4, 5, 8]

    /// One recommendation per budget that some quantized row with perplexity fits.
    static func recommend(_ rows: [AnalyzedRow], budgets: [Double] = budgets) -> [Recommendation] {
        let candidates = rows.filter { !$0.record.isBase && $0.record.meanPerplexity != nil }
            .sorted { a, b in
                let pa = a.record.meanPerplexity ?? .infinity, pb = b.record.meanPerplexity ?? .infinity
                if pa != pb { return pa < pb }
                if a.record.effectiveBits != b.record.effectiveBits { return a.record.effectiveBits < b.record.effectiveBits }
                return RowOrder.precedes(a.record, b.record)
            }
        return budgets.compactMap { budget in
            candidates.first { $0.record.effectiveBits <= budget + 1e-9 }.map { Recommendation(budgetBits: budget, row: $0) }
        }
    }
}
