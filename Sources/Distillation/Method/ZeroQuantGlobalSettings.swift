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

    public static let defaultSteps = 100
    public static let defaultLearningRate = 0.05
    public static let defaultBatch = 4
    public static let defaultScaleLearningRate = 0.001

    public init(steps: Int = defaultSteps, learningRate: Double = defaultLearningRate, batch: Int = defaultBatch,
                learnScales: Bool = false, scaleLearningRate: Double = defaultScaleLearningRate, seed: UInt64 = 0) {
        self.steps = steps; self.learningRate = learningRate; self.batch = batch
        self.learnScales = learnScales; self.scaleLearningRate = scaleLearningRate; self.seed = seed
    }

    /// Why these settings cannot run, or nil.
    public var problem: String? {
        if steps < 0 || steps > 1_000_000 { return "zq-global steps must be 0…1000000, got \(steps)" }
        if !(learningRate > 0 && learningRate <= 10) { return "zq-global learning rate must be in (0, 10] grid steps, got \(learningRate)" }
        if batch < 1 || batch > 4096 { return "zq-global batch must be 1…4096 windows, got \(batch)" }
        if !(scaleLearningRate > 0 && scaleLearningRate < 1) { return "zq-global scale learning rate must be in (0, 1), got \(scaleLearningRate)" }
        return nil
    }

    public var description: String {
        "\(steps) steps × \(batch) windows, Adam lr \(learningRate) grid steps"
            + (learnScales ? ", scales learn (lr \(scaleLearningRate))" : ", scales fixed")
    }
}
