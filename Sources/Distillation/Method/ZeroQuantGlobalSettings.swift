/// The knobs of ZeroQuant-Global (see `ZeroQuantGlobal`).
public struct ZeroQuantGlobalSettings: Codable, Hashable, Sendable, CustomStringConvertible {
    /// Adam updates per block.
    public var steps: Int
    /// Peak Adam step of a latent weight, in grid steps of its group (cosine decay to 0).
    public var learningRate: Double
    /// Calibration windows per update.
    public var batch: Int
    /// Whether the group scales learn too (LSQ), with a peak relative step of `scaleLearningRate`.
    public var learnScales: Bool
    public var scaleLearningRate: Double
    /// Seed of the minibatch order.
    public var seed: UInt64
    /// Adam updates of the optional final whole-model pass that distills the full-precision
    /// model's output distribution (KL of the logits) into every quantized linear at once, after
    /// the block-by-block stage; 0: no such pass.
    public var logitSteps: Int
    /// Its peak Adam step, in grid steps (cosine decay to 0).
    public var logitLearningRate: Double

    public static let defaultSteps = 100
    public static let defaultLearningRate = 0.05
    public static let defaultBatch = 4
    public static let defaultScaleLearningRate = 0.001
    public static let defaultLogitLearningRate = 0.02

    public init(steps: Int = defaultSteps, learningRate: Double = defaultLearningRate, batch: Int = defaultBatch,
                learnScales: Bool = false, scaleLearningRate: Double = defaultScaleLearningRate, seed: UInt64 = 0,
                logitSteps: Int = 0, logitLearningRate: Double = defaultLogitLearningRate) {
        self.steps = steps; self.learningRate = learningRate; self.batch = batch
        self.learnScales = learnScales; self.scaleLearningRate = scaleLearningRate; self.seed = seed
        self.logitSteps = logitSteps; self.logitLearningRate = logitLearningRate
    }

    enum CodingKeys: String, CodingKey {
        case steps, learningRate, batch, learnScales, scaleLearningRate, seed, logitSteps, logitLearningRate
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(steps: try c.decode(Int.self, forKey: .steps), learningRate: try c.decode(Double.self, forKey: .learningRate),
                  batch: try c.decode(Int.self, forKey: .batch), learnScales: try c.decode(Bool.self, forKey: .learnScales),
                  scaleLearningRate: try c.decode(Double.self, forKey: .scaleLearningRate),
                  seed: try c.decode(UInt64.self, forKey: .seed),
                  logitSteps: try c.decodeIfPresent(Int.self, forKey: .logitSteps) ?? 0,
                  logitLearningRate: try c.decodeIfPresent(Double.self, forKey: .logitLearningRate) ?? Self.defaultLogitLearningRate)
    }

    /// The logit pass's knobs are written only when the pass runs, so the configuration (and the
    /// experiment id hashed from it) of a run without it is what it was before the pass existed.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(steps, forKey: .steps); try c.encode(learningRate, forKey: .learningRate)
        try c.encode(batch, forKey: .batch); try c.encode(learnScales, forKey: .learnScales)
        try c.encode(scaleLearningRate, forKey: .scaleLearningRate); try c.encode(seed, forKey: .seed)
        if logitSteps > 0 {
            try c.encode(logitSteps, forKey: .logitSteps); try c.encode(logitLearningRate, forKey: .logitLearningRate)
        }
    }

    /// Why these settings cannot run, or nil.
    public var problem: String? {
        if steps < 0 || steps > 1_000_000 { return "zq-global steps must be 0…1000000, got \(steps)" }
        if !(learningRate > 0 && learningRate <= 10) { return "zq-global learning rate must be in (0, 10] grid steps, got \(learningRate)" }
        if batch < 1 || batch > 4096 { return "zq-global batch must be 1…4096 windows, got \(batch)" }
        if !(scaleLearningRate > 0 && scaleLearningRate < 1) { return "zq-global scale learning rate must be in (0, 1), got \(scaleLearningRate)" }
        if logitSteps < 0 || logitSteps > 1_000_000 { return "zq-global logit steps must be 0…1000000, got \(logitSteps)" }
        if !(logitLearningRate > 0 && logitLearningRate <= 10) {
            return "zq-global logit learning rate must be in (0, 10] grid steps, got \(logitLearningRate)"
        }
        return nil
    }

    public var description: String {
        "\(steps) steps × \(batch) windows, Adam lr \(learningRate) grid steps"
            + (learnScales ? ", scales learn (lr \(scaleLearningRate))" : ", scales fixed")
            + (logitSteps > 0 ? "; then \(logitSteps) whole-model logit-KL steps (lr \(logitLearningRate))" : "")
    }
}
