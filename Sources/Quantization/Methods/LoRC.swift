import TensorCore

/// The low-rank factors of LoRC: W ≈ Q(W) + Û·V̂ with Û (outFeatures × r), V̂ (r × inFeatures).
public struct LowRankCorrection: Sendable {
    public let rank: Int
    /// Û = U_r Σ_r^½ as used (dequantized when the factors are quantized).
    public let u: Tensor
    /// V̂ = Σ_r^½ V_rᵀ as used.
    public let v: Tensor
    /// Integer forms of Û and V̂ when the factors are quantized (per-row symmetric).
    public let uCodes: QuantizedCodes?
    public let vCodes: QuantizedCodes?
    /// All singular values of E = W − Q(W), descending.
    public let singularValues: [Float]
    /// Storage of both factors, in bits.
    public let bits: Int
}

/// LoRC (ZeroQuant-V2): quantize with `base`, then E = W − Q(W) = UΣVᵀ (LAPACK SVD) and keep rank
/// r: Û = U_r Σ_r^½, V̂ = Σ_r^½ V_rᵀ, Ŵ = Q(W) + ÛV̂.
///
/// Factors are stored with `factorBits`-bit per-row symmetric quantization (one f16 scale per row
/// of Û and of V̂; default 8), or in f16 when `factorBits` is nil; their bits are added to the
/// layer's (BitAccounting.extraBits). Because ÛV̂ (unquantized) is E projected on its top-r left
/// singular vectors, ‖(W − Ŵ)X‖ ≤ ‖(W − Q(W))X‖ for every X.
/// Stats: the base method's, plus "lorc.rank" and "lorc.energy" (Σ_{t<r} σ_t² / Σ σ_t²).
public struct LoRCQuantizer: WeightQuantizer {
    public var base: any WeightQuantizer
    public var rank: Int
    public var factorBits: Int?

    public init(base: any WeightQuantizer, rank: Int = 8, factorBits: Int? = 8) {
        self.base = base
        self.rank = rank
        self.factorBits = factorBits
    }

    public var name: String { "\(base.name)+lorc\(rank)" }

    public func quantize(weight: Tensor, hessian: Hessian?, scheme: WeightScheme) throws(QuantizationError) -> QuantizedWeight {
        let (rows, columns) = try weight.matrixShape()
        guard rank >= 1 else { throw .lowRank("rank must be at least 1, got \(rank)") }
        if let factorBits, !WeightScheme.bitRange.contains(factorBits) {
            throw .lowRank("factor bits must be 2…8, got \(factorBits)")
        }
        var result = try base.quantize(weight: weight, hessian: hessian, scheme: scheme)

        let error = FloatBuffer(count: rows * columns, zeroed: false)
        let w = weight.pointer, q = result.dequantized.pointer
        for i in 0..<(rows * columns) { error.pointer[i] = w[i] - q[i] }
        let svd: (u: [Float], s: [Float], vt: [Float])
        do { svd = try LAPACK.svd(error.pointer, rows: rows, columns: columns) } catch {
            throw .lowRank("\(error)")
        }
        let k = svd.s.count, r = min(rank, k)
        var u = Tensor(zeros: [rows, r]), v = Tensor(zeros: [r, columns])
        for t in 0..<r {
            let root = svd.s[t].squareRoot()
            for i in 0..<rows { u.pointer[i * r + t] = svd.u[i * k + t] * root }
            for j in 0..<columns { v.pointer[t * columns + j] = root * svd.vt[t * columns + j] }
        }

        var uCodes: QuantizedCodes?, vCodes: QuantizedCodes?
        let factorStorage: Int
        if let factorBits {
            // The narrow grid, as LoRC factors have always been stored (their rows' identities predate `full`).
            let factorScheme = WeightScheme(bits: factorBits, symmetric: true, granularity: .perRow, storage: .f16,
                                            symmetricGrid: .narrow)
            let qu = try MatrixQuantizer.quantize(u, scheme: factorScheme)
            let qv = try MatrixQuantizer.quantize(v, scheme: factorScheme)
            (u, uCodes, v, vCodes) = (qu.dequantized, qu.codes, qv.dequantized, qv.codes)
            factorStorage = factorScheme.totalBits(rows: rows, columns: r) + factorScheme.totalBits(rows: r, columns: columns)
        } else {
            for i in 0..<u.count { u.pointer[i] = Float(Float16(u.pointer[i])) }
            for i in 0..<v.count { v.pointer[i] = Float(Float16(v.pointer[i])) }
            factorStorage = 16 * r * (rows + columns)
        }

        let corrected = Tensor(zeros: [rows, columns])
        corrected.pointer.update(from: q, count: rows * columns)
        BLAS.parallelGemm(m: rows, n: columns, k: r, a: u.pointer, lda: r, b: v.pointer, ldb: columns,
                          beta: 1, c: corrected.pointer, ldc: columns)

        let total = svd.s.reduce(0) { $0 + Double($1) * Double($1) }
        let kept = svd.s.prefix(r).reduce(0) { $0 + Double($1) * Double($1) }
        result.dequantized = corrected
        result.lowRank = LowRankCorrection(rank: r, u: u, v: v, uCodes: uCodes, vCodes: vCodes,
                                           singularValues: svd.s, bits: factorStorage)
        result.bits.extraBits += factorStorage
        result.stats["lorc.rank"] = Double(r)
        result.stats["lorc.energy"] = total > 0 ? kept / total : 0
        return result
    }
}
