import Study

/// Zero-shot aggregates: the mean of `TaskScore.score` over tasks, and differences against the base.
enum ZeroShotScores {
    /// Mean score over every task of a row; nil when it has none.
    static func mean(_ scores: [String: TaskScore]) -> Double? {
        guard !scores.isEmpty else { return nil }
        return scores.keys.sorted().reduce(0.0) { $0 + scores[$1]!.score } / Double(scores.count)
    }

    /// Row mean minus base mean over the tasks both have; nil when they share none.
    static func delta(_ scores: [String: TaskScore], base: [String: TaskScore]) -> Double? {
        let common = scores.keys.filter { base[$0] != nil }.sorted()
        guard !common.isEmpty else { return nil }
        let diff = common.reduce(0.0) { $0 + scores[$1]!.score - base[$1]!.score }
        return diff / Double(common.count)
    }

    /// Every task any row has, sorted.
    static func tasks(in records: [ExperimentRecord]) -> [String] {
        Array(Set(records.flatMap(\.zeroShot.keys))).sorted()
    }
}
