import Quantization

/// What quantizing a model by a recipe did: the `"quant"` block of `eval --format json`, the
/// `quantize` command's report and a study experiment's metrics all use this one record.
public struct QuantizationReport: Codable, Sendable {
    public var spec: String
    public var method: String
    public var activationBits: Int
    public var effectiveBits: Double
    public var bytes: Int
    public var quantizedWeights: Int
    /// The scheme lies on the base model's own storage grid (its error is understated).
    public var gridAligned: Bool
    public var alignedStorage: [String]
    public var baseStorage: [String]
    public var calibration: String?
    public var seconds: Double
    public var unquantized = "token embedding and LM head kept at full precision"

    enum CodingKeys: String, CodingKey {
        case spec, method, bytes, calibration, seconds, unquantized
        case activationBits = "activation_bits"
        case effectiveBits = "effective_bits", quantizedWeights = "quantized_weights"
        case gridAligned = "grid_aligned", alignedStorage = "aligned_storage", baseStorage = "base_storage"
    }

    /// The report of `summary`, the result of running `recipe` on a model whose block weights were
    /// stored as `baseStorage` (GGUF type names), with the grid-alignment check done here.
    public init(recipe: QuantRecipe, summary: QuantizationSummary, baseStorage: Set<String>) throws {
        let spec = try recipe.parsedSpec()
        let aligned = GridAlignment.alignedStorage(spec.weight, storageTypes: baseStorage)
        self.spec = spec.description
        method = summary.method
        activationBits = spec.activation.bits ?? 16
        effectiveBits = summary.effectiveBits
        bytes = summary.quantizedBytes
        quantizedWeights = summary.quantizedWeights
        gridAligned = !aligned.isEmpty
        alignedStorage = aligned
        self.baseStorage = baseStorage.sorted()
        calibration = recipe.calibration?.description
        seconds = summary.seconds
    }
}
