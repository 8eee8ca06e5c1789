import Study

/// The model's sensitivity as ZeroQuant-V2 uses it: per method, the lowest-bit recipe that stays in
/// Class-1 (ΔPPL ≤ 0.1) and in Class-2 (ΔPPL ≤ 0.5).
public struct MethodSensitivity: Sendable, Equatable {
    /// Method label (`gptq`, `rtn+mse-clip`, `gptq+lorc8` …).
    public let method: String
    /// Lowest effective bits (paper convention) among its Class-1 / Class-2 recipes, nil when none.
    public let class1: AnalyzedRow?
    public let class2: AnalyzedRow?
    /// Recipes of this method with a class.
    public let recipes: Int

    static func of(_ rows: [AnalyzedRow]) -> [MethodSensitivity] {
        let classified = rows.filter { !$0.record.isBase && $0.sensitivity != nil }
        let byMethod = Dictionary(grouping: classified) { $0.record.methodLabel }
        func lowest(_ rows: [AnalyzedRow], within limit: SensitivityClass) -> AnalyzedRow? {
            rows.filter { $0.sensitivity! <= limit }.min { a, b in
                a.record.effectiveBits != b.record.effectiveBits ? a.record.effectiveBits < b.record.effectiveBits
                    : (a.deltaPerplexity ?? 0) < (b.deltaPerplexity ?? 0)
            }
        }
        return byMethod.keys.sorted().map { method in
            let rows = byMethod[method]!
            return MethodSensitivity(method: method, class1: lowest(rows, within: .class1), class2: lowest(rows, within: .class2),
                                     recipes: rows.count)
        }
    }
}
