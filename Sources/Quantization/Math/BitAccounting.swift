/// The storage of one quantized linear layer, in bits (DESIGN §4).
///
/// effective bits per weight = (codeBits + parameterBits + extraBits) / weights, where
/// codeBits = weights · b, parameterBits = groups · (scale bits + zero bits) (symmetric: no zero),
/// and extraBits holds what a method adds: g_idx (32 bits per input column, act-order with
/// groups) and LoRC factors (their codes and scales). For group-k that is the familiar
/// b + (scale bits + zero bits)/k when k divides inFeatures.
public struct BitAccounting: Hashable, Sendable {
    public var weights: Int
    public var codeBits: Int
    public var parameterBits: Int
    public var extraBits: Int

    public init(weights: Int, codeBits: Int, parameterBits: Int, extraBits: Int = 0) {
        self.weights = weights
        self.codeBits = codeBits
        self.parameterBits = parameterBits
        self.extraBits = extraBits
    }

    /// Codes + parameters of `scheme` on a (rows × columns) layer.
    public init(scheme: WeightScheme, rows: Int, columns: Int) {
        self.init(weights: rows * columns, codeBits: rows * columns * scheme.bits,
                  parameterBits: scheme.parameterCount(rows: rows, columns: columns) * scheme.parameterBits)
    }

    public var totalBits: Int { codeBits + parameterBits + extraBits }
    public var effectiveBitsPerWeight: Double { Double(totalBits) / Double(max(weights, 1)) }
    /// Bytes of the layer, rounded up.
    public var bytes: Int { (totalBits + 7) / 8 }
}
