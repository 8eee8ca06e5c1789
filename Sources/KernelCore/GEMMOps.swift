/// The linear-layer GEMM and the fused attention of one instruction set, as one row of the traits
/// table: tile sizes and entry points. `specialized(_:_:)` is inlined into each kernel module
/// (KernelsAVX512, KernelsAVX2, KernelsPortable), so its closures — `BlockedGEMM` over that
/// module's micro-kernel, and `FusedAttention.head` — are compiled there, for its -target-cpu.
/// TensorCore's `LinearBackend` picks a row at run time.
public struct GEMMOps: Sendable {
    /// Rows of A per micro-tile; rows of W per packed panel.
    public let mr: Int, nr: Int
    /// pack(W, n, k, ldw, into, panels): packs W (n×k, row stride ldw) into nr-row panels, panels
    /// `panels` only (see `BlockedGEMM.packWeight`).
    public let pack: @Sendable (UnsafePointer<Float>, Int, Int, Int, UnsafeMutablePointer<Float>, Range<Int>) -> Void
    /// gemm(A, lda, mRange, packedW, n, k, panels, C, ldc, accumulate): C[mRange, panels] (+)=
    /// A[mRange] · Wᵀ[panels] (see `BlockedGEMM.gemm`).
    public let gemm: @Sendable (UnsafePointer<Float>, Int, Range<Int>, UnsafePointer<Float>, Int, Int, Range<Int>,
                                UnsafeMutablePointer<Float>, Int, Bool) -> Void
    /// gemmCompressed(A, lda, mRange, W, n, k, panels, C, ldc, accumulate): the same product with W
    /// kept compressed and widened as it is packed (see `DecodingGEMM.gemm`; bit-identical results).
    public let gemmCompressed: @Sendable (UnsafePointer<Float>, Int, Range<Int>, CompressedRows, Int, Int, Range<Int>,
                                          UnsafeMutablePointer<Float>, Int, Bool) -> Void
    /// Fused causal attention of one head (`FusedAttention.head`).
    public let attention: @Sendable (FusedAttention.Job) -> Void

    @inlinable
    init(mr: Int, nr: Int,
         pack: @escaping @Sendable (UnsafePointer<Float>, Int, Int, Int, UnsafeMutablePointer<Float>, Range<Int>) -> Void,
         gemm: @escaping @Sendable (UnsafePointer<Float>, Int, Range<Int>, UnsafePointer<Float>, Int, Int, Range<Int>,
                                    UnsafeMutablePointer<Float>, Int, Bool) -> Void,
         gemmCompressed: @escaping @Sendable (UnsafePointer<Float>, Int, Range<Int>, CompressedRows, Int, Int, Range<Int>,
                                              UnsafeMutablePointer<Float>, Int, Bool) -> Void,
         attention: @escaping @Sendable (FusedAttention.Job) -> Void) {
        self.mr = mr; self.nr = nr; self.pack = pack; self.gemm = gemm; self.gemmCompressed = gemmCompressed
        self.attention = attention
    }

    /// Floats of a packed n×k weight.
    public func packedCount(n: Int, k: Int) -> Int { BlockedGEMM.packedCount(n: n, k: k, nr: nr) }

    /// The row for micro-kernel `K` and instruction set `I` (call it from the module compiled for them).
    @inlinable @inline(__always)
    public static func specialized<K: GEMMMicroKernel, I: VectorISA>(_: K.Type, _: I.Type) -> GEMMOps {
        GEMMOps(
            mr: K.mr, nr: K.nr,
            pack: { w, n, k, ldw, dst, panels in BlockedGEMM.packWeight(K.self, w, n: n, k: k, ldw: ldw, into: dst, panels: panels) },
            gemm: { a, lda, mRange, packedW, n, k, panels, c, ldc, accumulate in
                BlockedGEMM.gemm(K.self, a: a, lda: lda, mRange: mRange, packedW: packedW, n: n, k: k, panels: panels,
                                 c: c, ldc: ldc, accumulate: accumulate)
            },
            gemmCompressed: { a, lda, mRange, w, n, k, panels, c, ldc, accumulate in
                DecodingGEMM.gemm(K.self, I.self, a: a, lda: lda, mRange: mRange, w: w, n: n, k: k, panels: panels,
                                  c: c, ldc: ldc, accumulate: accumulate)
            },
            attention: { job in FusedAttention.head(I.self, job) })
    }
}
