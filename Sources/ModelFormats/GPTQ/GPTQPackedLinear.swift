import TensorCore

/// How a GPTQ checkpoint stores zero-points in `qzeros`.
public enum GPTQZeroConvention: String, Sendable {
    /// `checkpoint_format: "gptq"` (AutoGPTQ, transformers/optimum, GPTQModel's v1): the stored
    /// value is zero − 1 (masked to b bits); loaders add 1 back. A zero-point of 0 cannot be
    /// represented (it would read back as 2^b).
    case v1 = "gptq"
    /// `checkpoint_format: "gptq_v2"` (GPTQModel's internal format): the zero-point itself.
    case v2 = "gptq_v2"

    /// The offset subtracted when storing.
    public var offset: Int { self == .v1 ? 1 : 0 }
}

/// One linear layer W (out × in) in the GPTQ checkpoint layout (see `GPTQPacking` for the bits):
///
///     <name>.qweight  int32 (in·b/32, out)     codes, packed along the input dimension
///     <name>.qzeros   int32 (groups, out·b/32) zero-points (minus 1 in v1), packed along the output
///     <name>.scales   f16   (groups, out)
///     <name>.g_idx    int32 (in)               group of each input column
///
/// W[r, c] = scales[g, r] · (q[c, r] − zero[g, r]) with g = g_idx[c]. Per-row quantization is
/// one group (g_idx all 0, `group_size: -1`).
public struct GPTQPackedLinear: Sendable {
    public let bits: Int
    public let outFeatures: Int
    public let inFeatures: Int
    public let groups: Int
    public var qweight: [Int32]
    public var qzeros: [Int32]
    /// (groups × out), values exactly representable in f16.
    public var scales: [Float]
    public var gIdx: [Int32]

    public var qweightShape: [Int] { [GPTQPacking.wordCount(codes: inFeatures, bits: bits), outFeatures] }
    public var qzerosShape: [Int] { [groups, GPTQPacking.wordCount(codes: outFeatures, bits: bits)] }
    public var scalesShape: [Int] { [groups, outFeatures] }

    /// Why a layer cannot be packed: the bit width or the shapes do not fit whole int32 words.
    public static func check(bits: Int, outFeatures: Int, inFeatures: Int) -> String? {
        guard GPTQPacking.supportedBits.contains(bits) else {
            return "\(bits)-bit codes: GPTQ checkpoints hold 2, 3, 4 or 8 bits"
        }
        guard GPTQPacking.fillsWords(codes: inFeatures, bits: bits), GPTQPacking.fillsWords(codes: outFeatures, bits: bits) else {
            return "shape (\(outFeatures), \(inFeatures)) does not pack \(bits)-bit codes into whole int32 words (needs multiples of 32)"
        }
        return nil
    }

    /// Packs codes (out × in, row-major, < 2^bits), zero-points and scales (groups × out) and g_idx.
    /// Zero-points must be integers in [offset, 2^bits − 1 + offset] for `convention`.
    public init(bits: Int, outFeatures: Int, inFeatures: Int, codes: [UInt8], zeros: [Int], scales: [Float],
                gIdx: [Int32], convention: GPTQZeroConvention) {
        let groups = scales.count / outFeatures
        precondition(Self.check(bits: bits, outFeatures: outFeatures, inFeatures: inFeatures) == nil)
        precondition(codes.count == outFeatures * inFeatures && zeros.count == scales.count && gIdx.count == inFeatures)
        self.bits = bits
        self.outFeatures = outFeatures
        self.inFeatures = inFeatures
        self.groups = groups
        qweight = codes.withUnsafeBufferPointer {
            GPTQPacking.packColumns($0, rows: outFeatures, length: inFeatures, bits: bits)
        }
        let mask = (1 << bits) - 1
        let stored = zeros.map { UInt32((($0 - convention.offset) & mask)) }
        qzeros = GPTQPacking.packRows(stored, rows: groups, length: outFeatures, bits: bits)
        self.scales = scales
        self.gIdx = gIdx
    }

    /// A layer read from a checkpoint (arrays as stored).
    public init(bits: Int, outFeatures: Int, inFeatures: Int, qweight: [Int32], qzeros: [Int32], scales: [Float],
                gIdx: [Int32]) {
        self.bits = bits
        self.outFeatures = outFeatures
        self.inFeatures = inFeatures
        self.groups = scales.count / outFeatures
        self.qweight = qweight
        self.qzeros = qzeros
        self.scales = scales
        self.gIdx = gIdx
    }

    /// Codes (out × in).
    public func codes() -> [UInt8] {
        qweight.withUnsafeBufferPointer {
            GPTQPacking.unpackColumns($0, rows: outFeatures, length: inFeatures, bits: bits)
        }
    }

    /// Zero-points (groups × out) as loaders read them: stored + offset (so a v1 stored 2^b − 1
    /// reads as 2^b, as in AutoGPTQ).
    public func zeros(convention: GPTQZeroConvention) -> [Int] {
        GPTQPacking.unpackRows(qzeros, rows: groups, length: outFeatures, bits: bits).map { Int($0) + convention.offset }
    }

    /// W (out × in) in f32: scales[g, r] · (q[c, r] − zero[g, r]), g = g_idx[c].
    public func dequantized(convention: GPTQZeroConvention) -> Tensor {
        let q = codes(), z = zeros(convention: convention).map(Float.init)
        let out = Tensor(zeros: [outFeatures, inFeatures])
        let p = out.pointer
        for r in 0..<outFeatures {
            for c in 0..<inFeatures {
                let g = Int(gIdx[c]) * outFeatures + r
                p[r * inFeatures + c] = scales[g] * (Float(q[r * inFeatures + c]) - z[g])
            }
        }
        return out
    }
}
