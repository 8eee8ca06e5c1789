import Study

/// The analysis of a whole results set: one `ModelAnalysis` per model, fingerprint and evaluation
/// plan (a shared database or a merge may mix plans: they are never compared), plus what was run.
public struct StudyAnalysis: Sendable {
    /// Per model and plan, sorted by model name, then plan id.
    public let models: [ModelAnalysis]
    /// Distinct study names, sorted.
    public let studies: [String]
    /// Distinct method labels (`gptq+lorc8`…), sorted.
    public let methods: [String]
    /// Distinct specs, sorted.
    public let specs: [String]
    /// Number of records given (duplicates included).
    public let recordCount: Int
    /// Verdicts over the pairs of every analysis together (only with several models): each pair counts once.
    public let pooledVerdicts: [Verdict]
    /// Distinct models (a model analysed under two plans counts once).
    public let modelNames: [String]

    /// Groups the records by model, fingerprint and plan, and analyzes each group.
    public init(records: [ExperimentRecord], budgets: [Budget]? = nil) {
        struct Key: Hashable, Comparable {
            var model: String, fingerprint: String, plan: String
            static func < (a: Key, b: Key) -> Bool { (a.model, a.plan, a.fingerprint) < (b.model, b.plan, b.fingerprint) }
        }
        let groups = Dictionary(grouping: records) { Key(model: $0.model, fingerprint: $0.modelFingerprint ?? "", plan: $0.planKey) }
        let models = groups.keys.sorted().map { ModelAnalysis(model: $0.model, records: groups[$0] ?? [], budgets: budgets) }
        self.models = models
        studies = Array(Set(records.map(\.study))).sorted()
        methods = Array(Set(records.map(\.methodLabel))).sorted()
        specs = Array(Set(records.compactMap(\.spec))).sorted()
        recordCount = records.count
        modelNames = Array(Set(records.map(\.model))).sorted()
        pooledVerdicts = modelNames.count < 2 ? [] : models[0].verdicts.indices.map { k in
            let first = models[0].verdicts[k]
            return Verdict(pooling: first.question, claimedLabel: first.claimedLabel, otherLabel: first.otherLabel,
                           pairs: models.flatMap { $0.verdicts[k].pairs })
        }
    }

    /// No records at all.
    public var isEmpty: Bool { recordCount == 0 }
}
