import Study

/// The cells of one ΔPPL heat map: weight bits (rows, high to low) × granularity (columns: row,
/// then groups from large to small, then tensor) for one method label, activation bits and symmetry.
struct HeatMapGrid: Equatable {
    let method: String
    let activationBits: Int
    let symmetric: Bool
    let weightBits: [Int]
    /// Column labels: `row`, `g1024`, …, `g32`, `tensor`.
    let columns: [String]
    /// ΔPPL and the row it came from per (weight bits, column label); absent cells are not run.
    let cells: [Key: AnalyzedRow]

    struct Key: Hashable { let bits: Int; let column: String }

    /// `rtn · a16 · asym`.
    var label: String { "\(method) · a\(activationBits) · \(symmetric ? "sym" : "asym")" }
    /// Rows × columns, what the chart draws (filled or not).
    var cellCount: Int { weightBits.count * columns.count }

    /// Column order: per-row first, groups by size descending, per-tensor last.
    static func columnRank(_ record: ExperimentRecord) -> Int {
        switch record.groupSize {
        case nil: return Int.min
        case 0?: return Int.max
        case let k?: return -k
        }
    }

    /// One grid per (method label, activation bits, symmetry) among rows with ΔPPL, if it has ≥ 2 filled cells.
    /// When several rows fall in one cell (other seeds, re-runs) the latest finished one is shown.
    static func grids(for model: ModelAnalysis) -> [HeatMapGrid] {
        let rows = model.rows.filter { !$0.record.isBase && $0.deltaPerplexity != nil && $0.record.weightBits != nil }
        let groups = Dictionary(grouping: rows) { GroupKey(method: $0.record.methodLabel, act: $0.record.activationBits,
                                                           sym: $0.record.symmetric ?? false) }
        return groups.keys.sorted().compactMap { key in
            let members = groups[key] ?? []
            var cells: [Key: AnalyzedRow] = [:]
            for r in members {
                let k = Key(bits: r.record.weightBits ?? 0, column: r.record.granularityLabel)
                if let old = cells[k], (old.record.finishedAt, old.record.id) > (r.record.finishedAt, r.record.id) { continue }
                cells[k] = r
            }
            guard cells.count >= 2 else { return nil }
            let bits = Array(Set(members.compactMap(\.record.weightBits))).sorted(by: >)
            var rank: [String: Int] = [:]
            for r in members { rank[r.record.granularityLabel] = columnRank(r.record) }
            let columns = rank.keys.sorted { rank[$0] ?? 0 < rank[$1] ?? 0 }
            return HeatMapGrid(method: key.method, activationBits: key.act, symmetric: key.sym,
                               weightBits: bits, columns: columns, cells: cells)
        }
    }

    private struct GroupKey: Hashable, Comparable {
        let method: String, act: Int, sym: Bool
        static func < (a: GroupKey, b: GroupKey) -> Bool {
            (a.method, -a.act, a.sym ? 1 : 0) < (b.method, -b.act, b.sym ? 1 : 0)
        }
    }
}
