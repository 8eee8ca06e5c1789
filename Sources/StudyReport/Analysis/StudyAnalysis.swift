import Study

/// The analysis of a whole results set: one `ModelAnalysis` per model, plus what was run.
public struct StudyAnalysis: Sendable {
    /// Per model, sorted by model name.
    public let models: [ModelAnalysis]
    /// Distinct study names, method labels and specs, sorted; and the number of records.
    public let studies: [String]
    /// Distinct method labels (`gptq+lorc8`…), sorted.
    public let methods: [String]
    /// Distinct specs, sorted.
    public let specs: [String]
    /// Number of records given (duplicates included).
    public let recordCount: Int
    /// Verdicts over the pairs of every model together (only meaningful with several models).
    public let pooledVerdicts: [Verdict]

    /// Groups the records by model and analyzes each.
    public init(records: [ExperimentRecord]) {
        let byModel = Dictionary(grouping: records, by: \.model)
        let models = byModel.keys.sorted().map { ModelAnalysis(model: $0, records: byModel[$0] ?? []) }
        self.models = models
        studies = Array(Set(records.map(\.study))).sorted()
        methods = Array(Set(records.map(\.methodLabel))).sorted()
        specs = Array(Set(records.compactMap(\.spec))).sorted()
        recordCount = records.count
        pooledVerdicts = models.isEmpty ? [] : models[0].verdicts.indices.map { k in
            let first = models[0].verdicts[k]
            let pairs = models.flatMap { $0.verdicts[k].pairs }
            return Verdict(question: first.question, claimedLabel: first.claimedLabel, otherLabel: first.otherLabel,
                           pairs: pairs, missing: "no model has a pair for this question")
        }
    }

    /// No records at all.
    public var isEmpty: Bool { recordCount == 0 }
}
