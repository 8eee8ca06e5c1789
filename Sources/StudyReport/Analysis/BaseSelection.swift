import Study

/// Picks a model's reference row among its records.
enum BaseSelection {
    /// The base row (`method == "base"`) that finished last; ties broken by id so the choice is stable.
    static func base(in records: [ExperimentRecord]) -> ExperimentRecord? {
        records.filter(\.isBase).max { a, b in
            (a.finishedAt, a.id) < (b.finishedAt, b.id)
        }
    }
}
