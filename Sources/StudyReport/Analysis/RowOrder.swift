import Study

/// The order rows appear in tables and evidence: base first, diverged rows last, then activation
/// bits, weight bits and coarseness descending, then method label, seed and id.
enum RowOrder {
    /// True when `a` comes before `b`.
    static func precedes(_ a: ExperimentRecord, _ b: ExperimentRecord) -> Bool {
        if a.isBase != b.isBase { return a.isBase }
        if a.diverged != b.diverged { return b.diverged }
        if a.activationBits != b.activationBits { return a.activationBits > b.activationBits }
        if a.weightBits != b.weightBits { return (a.weightBits ?? 0) > (b.weightBits ?? 0) }
        if a.coarseness != b.coarseness { return a.coarseness > b.coarseness }
        if (a.spec ?? "") != (b.spec ?? "") { return (a.spec ?? "") < (b.spec ?? "") }
        if a.methodLabel != b.methodLabel { return a.methodLabel < b.methodLabel }
        if a.seed != b.seed { return (a.seed ?? 0) < (b.seed ?? 0) }
        return (a.finishedAt, a.id) < (b.finishedAt, b.id)
    }
}
