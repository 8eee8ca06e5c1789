/// Pareto frontier of cost (bits or bytes) against loss (perplexity), both lower-is-better.
public enum ParetoFrontier {
    /// Indices of the points no other point dominates. A point is dominated when another has
    /// cost ≤ and loss ≤ with at least one strictly lower; identical points are all kept.
    public static func members(costs: [Double], losses: [Double]) -> Set<Int> {
        precondition(costs.count == losses.count, "one loss per cost")
        var kept = Set<Int>()
        for i in costs.indices {
            let dominated = costs.indices.contains { j in
                j != i && costs[j] <= costs[i] && losses[j] <= losses[i]
                    && (costs[j] < costs[i] || losses[j] < losses[i])
            }
            if !dominated { kept.insert(i) }
        }
        return kept
    }
}
