/// Activation quantization: the inputs of a linear layer (tokens × inFeatures) fake-quantized to
/// `bits` bits before the product, or left alone (`.none`, spelled `a16`).
public struct ActivationScheme: Hashable, Sendable {
    public static let bitRange = 4...8

    public enum Granularity: String, Hashable, Sendable {
        /// One range per token (row of the input).
        case perToken = "tok"
        /// One range for the whole input.
        case perTensor = "tensor"
    }

    /// `nil` = not quantized (16-bit activations).
    public var bits: Int?
    public var granularity: Granularity
    /// Dynamic: ranges measured at run time on each input. Static: one range fixed from calibration
    /// (per tensor only).
    public var isStatic: Bool
    public var symmetric: Bool

    /// Activations left in full precision.
    public static let none = ActivationScheme(bits: nil)

    public init(bits: Int?, granularity: Granularity = .perToken, isStatic: Bool = false, symmetric: Bool = true) {
        self.bits = bits
        self.granularity = granularity
        self.isStatic = isStatic
        self.symmetric = symmetric
    }

    public var isQuantized: Bool { bits != nil }

    /// Whether one range covers a whole input sequence (dynamic per tensor), so the numbers of a
    /// token depend on the other tokens of its sequence (see `SequenceRows`).
    public var rangeSpansSequence: Bool { isQuantized && granularity == .perTensor && !isStatic }

    public func validate() throws(QuantSpecError) {
        if let bits, !Self.bitRange.contains(bits) { throw .activationBits("a\(bits)") }
        if isQuantized && isStatic && granularity == .perToken {
            throw .misplacedToken("static", reason: "static activation ranges are per tensor: use -tensor-static")
        }
    }
}
