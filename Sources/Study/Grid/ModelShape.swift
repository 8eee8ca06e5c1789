import Models

/// What grid validation needs to know about a model: the narrowest input and the smallest
/// dimension of its block linears, and the storage types of its block weights (grid alignment).
public struct ModelShape: Sendable, Equatable {
    public var architecture: String
    public var minInFeatures: Int
    public var minDimension: Int
    public var blockWeightStorage: Set<String>
    /// For time estimates: weights of the block linears, of the LM head (vocabulary × hidden),
    /// Σ inFeatures² over the block linears (Hessian cost), and the model's longest context.
    public var blockWeights: Int
    public var headWeights: Int
    public var sumSquaredInputs: Double
    public var maxContext: Int

    public init(architecture: String, minInFeatures: Int, minDimension: Int, blockWeightStorage: Set<String>,
                blockWeights: Int = 0, headWeights: Int = 0, sumSquaredInputs: Double = 0, maxContext: Int = 2048) {
        self.architecture = architecture; self.minInFeatures = minInFeatures
        self.minDimension = minDimension; self.blockWeightStorage = blockWeightStorage
        self.blockWeights = blockWeights; self.headWeights = headWeights
        self.sumSquaredInputs = sumSquaredInputs; self.maxContext = maxContext
    }

    /// Reads the shape of a loaded model.
    public init(_ loaded: LoadedModel) {
        var minIn = Int.max, minDim = Int.max, weights = 0, squares = 0.0
        for b in 0..<loaded.model.blockCount {
            for linear in loaded.model.linears(ofBlock: b) {
                minIn = min(minIn, linear.inFeatures)
                minDim = min(minDim, linear.inFeatures, linear.outFeatures)
                weights += linear.inFeatures * linear.outFeatures
                squares += Double(linear.inFeatures * linear.inFeatures)
            }
        }
        self.init(architecture: loaded.model.architecture, minInFeatures: minIn, minDimension: minDim,
                  blockWeightStorage: loaded.blockWeightStorage, blockWeights: weights,
                  headWeights: loaded.model.vocabularySize * loaded.model.hiddenSize, sumSquaredInputs: squares,
                  maxContext: loaded.model.maxContext)
    }
}
