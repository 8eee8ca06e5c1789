/// How the weights of a linear layer (outFeatures × inFeatures) share quantization parameters.
public enum WeightGranularity: Hashable, Sendable {
    /// One scale (and zero-point) for the whole matrix.
    case perTensor
    /// One per output channel (row).
    case perRow
    /// One per run of `k` consecutive input columns within a row; the last group of a row is
    /// shorter when `k` does not divide inFeatures.
    case group(Int)
}

/// Precision at which scales and zero-points are stored — and therefore used: a scale is rounded
/// to this precision before any weight is quantized with it.
public enum ParameterStorage: String, Hashable, Sendable {
    case f16, f32

    public var bits: Int { self == .f16 ? 16 : 32 }

    /// `x` rounded to this precision (round to nearest even for f16).
    @inline(__always)
    public func round(_ x: Float) -> Float {
        self == .f32 ? x : Float(Float16(x))
    }
}

/// A weight quantization scheme: integer codes of `bits` bits, symmetric or asymmetric, with
/// parameters shared per `granularity`. See `QuantGrid` for the exact formulas.
public struct WeightScheme: Hashable, Sendable {
    public static let bitRange = 2...8
    /// The bits of weights left in full precision (`w16`: stored as f16, never quantized).
    public static let fullPrecisionBits = 16
    /// Weights kept in full precision (spec `w16…`): activation-only schemes, and layers an
    /// override leaves alone. No quantizer accepts it (`validate()` throws); pipelines check
    /// `isQuantized` first.
    public static let fullPrecision = WeightScheme(bits: fullPrecisionBits, symmetric: true, granularity: .perTensor)

    public var bits: Int
    public var symmetric: Bool
    public var granularity: WeightGranularity
    public var storage: ParameterStorage
    /// The levels a symmetric scheme uses (ignored when asymmetric); see `SymmetricGrid`.
    public var symmetricGrid: SymmetricGrid
    /// A ggml block type's grid (spec `q4_k`, `q3_k`, `q4_0`, …) instead of the integer
    /// scale/zero-point grid: the weights take exactly the values that block type stores, with
    /// ggml's header search (`GGMLBlockGrid`). `bits`, `symmetric` and `granularity` then
    /// describe the type (code bits, levels around 0 or not, sub-block size) for reports.
    public var blockGrid: GGMLBlockGrid?

    /// Unchecked; `validate()` (called by every quantizer) reports bad values.
    public init(bits: Int, symmetric: Bool = false, granularity: WeightGranularity = .perRow,
                storage: ParameterStorage = .f16, symmetricGrid: SymmetricGrid = .full) {
        self.bits = bits
        self.symmetric = symmetric
        self.granularity = granularity
        self.storage = storage
        self.symmetricGrid = symmetricGrid
        blockGrid = nil
    }

    /// The grid of ggml block type `grid`.
    public init(ggml grid: GGMLBlockGrid) {
        self.init(bits: grid.codeBits, symmetric: [.q4_0, .q5_0, .q8_0, .q3_k, .q6_k].contains(grid),
                  granularity: .group(grid.subBlockSize), storage: .f16)
        blockGrid = grid
    }

    /// False for `fullPrecision` (w16).
    public var isQuantized: Bool { bits != Self.fullPrecisionBits }

    /// The grid's name for rows and reports: `full` or `narrow` when symmetric, nil when asymmetric.
    public var gridName: String? { symmetric ? symmetricGrid.rawValue : nil }

    public func validate() throws(QuantSpecError) {
        guard Self.bitRange.contains(bits) else { throw .weightBits("w\(bits)") }
        if case .group(let k) = granularity, k < 1 { throw .groupSize("g\(k)") }
    }

    /// Largest code: 2^bits − 1 (codes are stored unsigned, see `QuantGrid`).
    public var maxCode: Int { (1 << bits) - 1 }

    /// Number of input columns per parameter group for a layer with `columns` inputs (per-row:
    /// all of them; per-tensor: also all of them, with one group for all rows).
    public func groupSize(columns: Int) -> Int {
        switch granularity {
        case .perTensor, .perRow: return columns
        case .group(let k): return k
        }
    }

    /// Parameter groups per row: ⌈columns / k⌉ for group-k, 1 otherwise.
    public func groupsPerRow(columns: Int) -> Int {
        switch granularity {
        case .perTensor, .perRow: return 1
        case .group(let k): return columns / k + (columns % k == 0 ? 0 : 1)   // no overflow for any k ≥ 1
        }
    }

    /// Number of (scale, zero) pairs a (rows × columns) weight carries.
    public func parameterCount(rows: Int, columns: Int) -> Int {
        granularity == .perTensor ? 1 : rows * groupsPerRow(columns: columns)
    }

    /// Bits of one group's parameters: scale bits + zero-point bits (a symmetric scheme stores no
    /// zero-point: it is fixed at 2^(bits−1)).
    /// A ggml grid counts its block header spread over the sub-blocks (Q4_K: 16 bits per 32
    /// weights, so 4.5 bits per weight, as llama.cpp reports).
    public var parameterBits: Int {
        if let blockGrid {
            let subBlocks = blockGrid.blockSize / blockGrid.subBlockSize
            return (blockGrid.blockBytes * 8 - blockGrid.blockSize * bits) / subBlocks
        }
        return storage.bits * (symmetric ? 1 : 2)
    }

    /// Effective bits per weight (DESIGN §4): bits + (scale bits + zero bits) / group size, counted
    /// exactly over the groups of a (rows × columns) layer (a ragged last group counts whole).
    public func effectiveBits(rows: Int, columns: Int) -> Double {
        Double(totalBits(rows: rows, columns: columns)) / Double(rows * columns)
    }

    /// All bits of a quantized (rows × columns) layer: codes plus parameters.
    public func totalBits(rows: Int, columns: Int) -> Int {
        rows * columns * bits + parameterCount(rows: rows, columns: columns) * parameterBits
    }
}
