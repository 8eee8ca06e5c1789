/// What every experiment of a study measures (part of each experiment's identity).
public struct EvaluationPlan: Codable, Hashable, Sendable {
    /// Window length; nil = 2048 capped by the model.
    public var context: Int?
    /// Perplexity corpora (wiki, news, books) and the windows per corpus (nil = all).
    public var corpora: [String]
    public var maxWindows: Int?
    /// Zero-shot tasks, the stable-subset size per task and its seed.
    public var zeroShotTasks: [String]
    public var limit: Int?
    public var subsetSeed: UInt64
    /// KL against the base model on these corpora (quantized experiments only).
    public var klCorpora: [String]
    public var klMaxWindows: Int?

    public init(context: Int? = nil, corpora: [String] = [], maxWindows: Int? = nil, zeroShotTasks: [String] = [],
                limit: Int? = nil, subsetSeed: UInt64 = 0, klCorpora: [String] = [], klMaxWindows: Int? = nil) {
        self.context = context; self.corpora = corpora; self.maxWindows = maxWindows
        self.zeroShotTasks = zeroShotTasks; self.limit = limit; self.subsetSeed = subsetSeed
        self.klCorpora = klCorpora; self.klMaxWindows = klMaxWindows
    }

    /// The same plan without KL (the base row has nothing to compare with).
    public var withoutKL: EvaluationPlan {
        var plan = self
        plan.klCorpora = []
        plan.klMaxWindows = nil
        return plan
    }
}
