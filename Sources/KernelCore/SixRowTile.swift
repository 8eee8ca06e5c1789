// The 6-row × 2-vector register tile shared by the AVX2 (2 × 8 floats) and the portable
// (2 × 4 floats) micro-kernels: 12 accumulators, two loads of the B panel and one broadcast per
// row per k. Generic over the vector type and `@inline(__always)`, so each variant module's
// call specializes it for its own vector width and CPU.
extension BlockedGEMM {
    /// C tile (6 × 2·V.scalarCount, row stride ldc) (+)= A (6 rows of kc floats, row stride lda) ·
    /// B panel (kc × 2·V.scalarCount, k-major); see `GEMMMicroKernel.tile`. `fused`: one fused
    /// multiply-add per lane (only where the target has FMA instructions), else multiply then add.
    @inlinable @inline(__always)
    public static func sixRowTile<V: SIMD>(
        _: V.Type, fused: Bool,
        _ kc: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ rows: Int, _ b: UnsafePointer<Float>,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ add: Bool
    ) where V.Scalar == Float {
        let w = V.scalarCount
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
        @inline(__always) func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
            UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
        }
        @inline(__always) func madd(_ acc: inout V, _ x: V, _ y: V) {
            if fused { acc.addProduct(x, y) } else { acc += x * y }
        }
        let a0 = a
        let a1 = a + min(1, rows - 1) * lda
        let a2 = a + min(2, rows - 1) * lda
        let a3 = a + min(3, rows - 1) * lda
        let a4 = a + min(4, rows - 1) * lda
        let a5 = a + min(5, rows - 1) * lda
        var c00 = V(), c01 = V()
        var c10 = V(), c11 = V()
        var c20 = V(), c21 = V()
        var c30 = V(), c31 = V()
        var c40 = V(), c41 = V()
        var c50 = V(), c51 = V()
        var b = b
        for k in 0..<kc {
            let b0 = load(b), b1 = load(b + w)
            let x0 = V(repeating: a0[k]); madd(&c00, x0, b0); madd(&c01, x0, b1)
            let x1 = V(repeating: a1[k]); madd(&c10, x1, b0); madd(&c11, x1, b1)
            let x2 = V(repeating: a2[k]); madd(&c20, x2, b0); madd(&c21, x2, b1)
            let x3 = V(repeating: a3[k]); madd(&c30, x3, b0); madd(&c31, x3, b1)
            let x4 = V(repeating: a4[k]); madd(&c40, x4, b0); madd(&c41, x4, b1)
            let x5 = V(repeating: a5[k]); madd(&c50, x5, b0); madd(&c51, x5, b1)
            b += 2 * w
        }
        // row i of the tile: (ci0, ci1) → C[i, 0..<2w]
        @inline(__always) func put(_ i: Int, _ v0: V, _ v1: V) {
            let p = c + i * ldc
            if add {
                store(load(p) + v0, p); store(load(p + w) + v1, p + w)
            } else {
                store(v0, p); store(v1, p + w)
            }
        }
        put(0, c00, c01); put(1, c10, c11); put(2, c20, c21)
        put(3, c30, c31); put(4, c40, c41); put(5, c50, c51)
    }
}
