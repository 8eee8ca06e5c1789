// What one instruction-set variant of the linear-layer GEMM supplies: a register-blocked
// micro-kernel and its blocking sizes. The blocked driver (`BlockedGEMM`) and the weight packing
// are written once, generic over this protocol and `@inlinable`, so each variant module
// (KernelsAVX512, KernelsAVX2, KernelsPortable) specializes them under its own
// `-target-cpu`: the same loops, compiled for that module's instruction set.

/// A register tile of C: `mr` rows of A against one packed panel of `nr` rows of W.
public protocol GEMMMicroKernel: SendableMetatype {
    /// Rows of A (and C) per micro-tile.
    static var mr: Int { get }
    /// Rows of W per packed panel (columns of C per micro-tile).
    static var nr: Int { get }
    /// Depth of one k block (the B micro-panel, kc·nr floats, should stay in L1).
    static var kc: Int { get }
    /// Rows of A per M block (mc·kc floats of A, L2-resident).
    static var mc: Int { get }
    /// Columns of W per outer block (a multiple of nr; kc·nc floats of packed W, L2/L3).
    static var nc: Int { get }

    /// C tile (mr×nr, row stride ldc) (+)= A (mr rows of kc floats, row stride lda) · B panel
    /// (kc×nr, k-major). Rows of A past `rows` repeat the last valid row (their results are
    /// garbage: callers with rows < mr pass a scratch C). With `add`, the product is added to C;
    /// otherwise C is overwritten without being read.
    static func tile(
        _ kc: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ rows: Int, _ b: UnsafePointer<Float>,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ add: Bool)
}
