import Foundation
import Study

/// A memory budget in the units users choose.
public enum Budget: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Weight bits as a format names them (`8-bit`): every recipe whose weights use at most b bits,
    /// whatever its scales and zero-points add (W8 per-row at 8.05 effective bits is an 8-bit recipe).
    case weightBits(Int)
    /// Whole-model file size in MB (10⁶ bytes): block linears as quantized, everything else at f16.
    case megabytes(Double)

    public var description: String {
        switch self {
        case .weightBits(let b): "≤ \(b)-bit weights"
        case .megabytes(let mb): "≤ " + (mb == mb.rounded() ? String(Int(mb)) : String(format: "%.1f", mb)) + " MB"
        }
    }

    /// The default bit budgets.
    public static let defaultBits = [3, 4, 5, 8]
}

/// The recipe to use within a budget.
public struct Recommendation: Sendable, Equatable {
    public let budget: Budget
    /// The recipe recommended: the smallest one whose loss is within noise of the best in budget.
    public let choice: RecipeRow
    /// The best measured recipe within the budget (lowest mean NLL); equal to `choice` or within its noise.
    public let best: RecipeRow
    /// The analyzed row of the choice (its first seed), for ΔPPL and class.
    public let row: AnalyzedRow
    /// The base model itself fits this budget (its source storage), e.g. a Q4_1 file under 5 bits.
    public let baseFits: Bool
    /// Other recipes within noise of the best.
    public let alternatives: [RecipeRow]
}

/// Picks recommendations per budget from the recipes (seeds averaged).
enum Recommendations {
    /// Per budget that some recipe fits: among the non-diverged recipes in budget, the best is the
    /// lowest mean perplexity; the recommendation is the smallest recipe (whole-model bytes, then
    /// effective bits) whose paired ΔNLL against the best includes 0 or lies below it.
    static func recommend(_ recipes: [RecipeRow], rows: [AnalyzedRow], base: ExperimentRecord?, budgets: [Budget]) -> [Recommendation] {
        let candidates = recipes.filter { !$0.record.isBase && !$0.diverged && $0.meanPerplexity != nil }
        return budgets.compactMap { budget in
            let fitting = candidates.filter { fits($0.record, budget) }
            guard let best = fitting.min(by: { better($0, $1) }) else { return nil }
            let equivalent = fitting.filter { r in
                r == best || (RowValues.difference(r.values.windowNLL, best.values.windowNLL).map { !$0.isPositive } ?? false)
            }
            let choice = equivalent.min { a, b in
                let sa = size(a.record), sb = size(b.record)
                if sa != sb { return sa < sb }
                if a.record.effectiveBits != b.record.effectiveBits { return a.record.effectiveBits < b.record.effectiveBits }
                return better(a, b)
            } ?? best
            guard let row = rows.first(where: { $0.record.id == choice.record.id }) else { return nil }
            return Recommendation(budget: budget, choice: choice, best: best, row: row,
                                  baseFits: base.map { fits($0, budget) } ?? false,
                                  alternatives: equivalent.filter { $0 != choice }.sorted { better($0, $1) })
        }
    }

    /// Lower mean perplexity, then fewer bits, then row order.
    static func better(_ a: RecipeRow, _ b: RecipeRow) -> Bool {
        let pa = a.meanPerplexity ?? .infinity, pb = b.meanPerplexity ?? .infinity
        if pa != pb { return pa < pb }
        if a.record.effectiveBits != b.record.effectiveBits { return a.record.effectiveBits < b.record.effectiveBits }
        return RowOrder.precedes(a.record, b.record)
    }

    /// Whole-model bytes when known, else the block linears' bytes.
    static func size(_ r: ExperimentRecord) -> Int { r.modelBytes ?? r.bytes }

    static func fits(_ r: ExperimentRecord, _ budget: Budget) -> Bool {
        switch budget {
        case .weightBits(let b):
            if r.isBase { return r.effectiveBits <= Double(b) + 1e-9 }
            return (r.weightBits ?? Int.max) <= b
        case .megabytes(let mb):
            return Double(size(r)) <= mb * 1_000_000 + 0.5
        }
    }

    /// Default size budgets for a model: a quarter, a third and a half of its f16 size (in MB,
    /// rounded down), when its parameter count is known.
    static func defaultMegabytes(parameters: Int?) -> [Budget] {
        guard let p = parameters, p > 0 else { return [] }
        let f16 = Double(p * 2) / 1_000_000
        return [0.25, 1.0 / 3, 0.5].map { .megabytes((f16 * $0).rounded(.down)) }
    }
}
