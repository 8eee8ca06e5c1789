import Quantization

/// What quantizing a model by a recipe did: the `"quant"` block of `eval --format json`, the
/// `quantize` command's report and a study experiment's metrics all use this one record.
public struct QuantizationReport: Codable, Sendable {
    public var spec: String
    /// The method with every option that changes its result (`QuantRecipe.methodLabel`: `gptq+act-order`,
    /// `rtn+mse-clip`, `gptq+lorc8`).
    public var method: String
    public var activationBits: Int
    /// Bits per block-linear weight in the paper's convention (codes, an f16 scale and an f16
    /// zero-point per group, plus g_idx and LoRC factors when present).
    public var effectiveBits: Double
    /// Bytes of the quantized block linears in that convention.
    public var bytes: Int
    public var quantizedWeights: Int
    /// The scheme lies on the base model's own storage grid (its error is understated): RTN of the
    /// base weights reproduces at least 99% of them (`gridFit`).
    public var gridAligned: Bool
    /// Share of the base block weights RTN with this scheme reproduces (within 1/1000 of a step).
    public var gridFit: Double
    /// The base storage types the scheme's grid reproduces (the base types when aligned, else empty).
    public var alignedStorage: [String]
    public var baseStorage: [String]
    public var calibration: String?
    public var seconds: Double
    public var unquantized = "token embedding and LM head kept at full precision"
    /// The block linears' bits as each export format stores them (filled by the experiment pipeline).
    public var storedBits: StoredBits?
    /// The whole model's bytes: block linears as quantized (paper convention) plus every other
    /// tensor (embedding, LM head, norms, biases) at f16.
    public var modelBytes: Int?
    /// With per-layer overrides or full-precision layers: block linears per weight scheme
    /// (`w4a16-g128-asym`: 180, `w16`: 30); nil when every layer has the recipe's scheme.
    public var layerSchemes: [String: Int]?
    /// The token embedding / LM head when quantized: name, spec, bits per weight, bytes.
    public var tokenTables: [TokenTable]?
    /// Per-layer facts of the method (damping raised, ZQ-local keeping RTN, LoRC energy …).
    public var diagnostics: QuantizationDiagnostics

    enum CodingKeys: String, CodingKey {
        case spec, method, bytes, calibration, seconds, unquantized, diagnostics
        case activationBits = "activation_bits"
        case effectiveBits = "effective_bits", quantizedWeights = "quantized_weights"
        case gridAligned = "grid_aligned", gridFit = "grid_fit", alignedStorage = "aligned_storage", baseStorage = "base_storage"
        case storedBits = "stored_bits", modelBytes = "model_bytes"
        case layerSchemes = "layer_schemes", tokenTables = "token_tables"
    }

    public struct TokenTable: Codable, Sendable, Equatable {
        public var name: String
        public var spec: String
        public var effectiveBits: Double
        public var bytes: Int
        enum CodingKeys: String, CodingKey { case name, spec, bytes, effectiveBits = "effective_bits" }
    }

    /// The report of `summary`, the result of running `recipe` on a model whose block weights were
    /// stored as `baseStorage` (GGUF type names) and which `gridFit` measured against the scheme.
    public init(recipe: QuantRecipe, summary: QuantizationSummary, baseStorage: Set<String>, gridFit: GridFit) throws {
        let spec = try recipe.parsedSpec()
        self.spec = spec.description
        method = recipe.methodLabel
        activationBits = spec.activation.bits ?? 16
        effectiveBits = summary.effectiveBits
        bytes = summary.quantizedBytes
        quantizedWeights = summary.quantizedWeights
        gridAligned = gridFit.aligned
        self.gridFit = gridFit.fraction
        alignedStorage = gridFit.aligned ? baseStorage.sorted() : []
        self.baseStorage = baseStorage.sorted()
        calibration = recipe.calibrationDescription
        seconds = summary.seconds
        diagnostics = QuantizationDiagnostics(summary)
        // A layer's weight scheme as spec text (`w16` for a layer left in full precision).
        func schemeName(_ l: QuantizationSummary.Layer) -> String { l.result.codes.map { QuantSpec(weight: $0.scheme).description } ?? "w16" }
        let schemes = Dictionary(grouping: summary.layers, by: schemeName).mapValues(\.count)
        layerSchemes = schemes.count > 1 || schemes.keys.first != QuantSpec(weight: summary.scheme).description ? schemes : nil
        if !summary.tokenTables.isEmpty {
            tokenTables = summary.tokenTables.map { l in
                TokenTable(name: l.name, spec: schemeName(l),
                           effectiveBits: l.bits.effectiveBitsPerWeight, bytes: l.bits.bytes)
            }
            let names = summary.tokenTables.map(\.name)
            unquantized = "quantized: \(names.joined(separator: ", ")) (round to nearest); the other token table, if any, at full precision"
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        spec = try c.decode(String.self, forKey: .spec)
        method = try c.decode(String.self, forKey: .method)
        activationBits = try c.decode(Int.self, forKey: .activationBits)
        effectiveBits = try c.decode(Double.self, forKey: .effectiveBits)
        bytes = try c.decode(Int.self, forKey: .bytes)
        quantizedWeights = try c.decode(Int.self, forKey: .quantizedWeights)
        gridAligned = try c.decode(Bool.self, forKey: .gridAligned)
        gridFit = try c.decodeIfPresent(Double.self, forKey: .gridFit) ?? (gridAligned ? 1 : 0)
        alignedStorage = try c.decode([String].self, forKey: .alignedStorage)
        baseStorage = try c.decode([String].self, forKey: .baseStorage)
        calibration = try c.decodeIfPresent(String.self, forKey: .calibration)
        seconds = try c.decode(Double.self, forKey: .seconds)
        unquantized = try c.decodeIfPresent(String.self, forKey: .unquantized) ?? unquantized
        storedBits = try c.decodeIfPresent(StoredBits.self, forKey: .storedBits)
        modelBytes = try c.decodeIfPresent(Int.self, forKey: .modelBytes)
        diagnostics = try c.decodeIfPresent(QuantizationDiagnostics.self, forKey: .diagnostics) ?? .init(layers: [])
        layerSchemes = try c.decodeIfPresent([String: Int].self, forKey: .layerSchemes)
        tokenTables = try c.decodeIfPresent([TokenTable].self, forKey: .tokenTables)
    }
}

/// Bits per block-linear weight, two ways: the paper's convention (what `effectiveBits` counts)
/// and what each export format actually stores (nil where the format cannot hold the scheme).
public struct StoredBits: Codable, Sendable, Equatable {
    /// Codes + f16 scale + f16 zero-point per group (+ g_idx, LoRC factors): the study's convention.
    public var paper: Double
    /// Hugging Face GPTQ checkpoint: qweight (b bits), qzeros (b bits per group), f16 scales, and a
    /// 32-bit g_idx per input column.
    public var gptq: Double?
    /// The ggml block type holding the scheme (group-32 only) and its bits per weight (Q4_1: 5.0).
    public var ggufType: String?
    public var gguf: Double?

    enum CodingKeys: String, CodingKey {
        case paper, gptq, gguf
        case ggufType = "gguf_type"
    }

    public init(paper: Double, gptq: Double?, ggufType: String?, gguf: Double?) {
        self.paper = paper; self.gptq = gptq; self.ggufType = ggufType; self.gguf = gguf
    }
}
