import Study

/// The order rows appear in tables and evidence: base first, then activation bits, weight bits and
/// coarseness descending, then method label and id.
enum RowOrder {
    /// True when `a` comes before `b`.
    static func precedes(_ a: ExperimentRecord, _ b: ExperimentRecord) -> Bool {
        if a.isBase != b.isBase { return a.isBase }
        if a.activationBits != b.activationBits { return a.activationBits > b.activationBits }
        if a.weightBits != b.weightBits { return (a.weightBits ?? 0) > (b.weightBits ?? 0) }
        if a.coarseness != b.coarseness { return a.coarseness > b.coarseness }
        if (a.spec ?? "") != (b.spec ?? "") { return (a.spec ?? "") < (b.spec ?? "") }
        if a.methodLabel != b.methodLabel { return a.methodLabel < b.methodLabel }
        return (a.finishedAt, a.id) < (b.finishedAt, b.id)
    }
}
