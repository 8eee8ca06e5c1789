// The portable micro-kernel, 6 rows × 8 columns of 4-wide vectors (SSE2 on x86-64 without a
// target CPU, NEON on arm64): 12 accumulators + 2 B vectors + 1 broadcast fit the 16 registers of
// SSE2 as well as NEON's 32. Used where neither AVX-512 nor AVX2 + FMA is there (arm64, or forced
// with PTQLAB_GEMM=portable for tests).
import GEMMCore

public enum Kernel6x8Portable: GEMMMicroKernel {
    public typealias V = SIMD4<Float>
    public static var mr: Int { 6 }
    public static var nr: Int { 8 }
    // kc·8·4 = 8 KB B micro-panel (L1), mc·kc·4 = 192 KB of A (L2), kc·nc·4 = 256 KB of W.
    public static var kc: Int { 256 }
    public static var mc: Int { 192 }
    public static var nc: Int { 256 }

    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> V {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }
    @inline(__always) static func load(_ p: UnsafeMutablePointer<Float>) -> V {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }
    @inline(__always) static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
    }

    /// acc += x·y. On arm64 one fused multiply-add per lane (fmla, always there); on x86-64 without
    /// a target CPU (no FMA guaranteed) a multiply and an add, since a fused one would become a
    /// library call per lane.
    @inline(__always) static func madd(_ acc: inout V, _ x: V, _ y: V) {
        #if arch(arm64)
        acc.addProduct(x, y)
        #else
        acc += x * y
        #endif
    }

    /// See `GEMMMicroKernel.tile`.
    @inline(__always)
    public static func tile(
        _ kc: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ rows: Int, _ b: UnsafePointer<Float>,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ add: Bool
    ) {
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
            let b0 = load(b + 0)
            let b1 = load(b + 4)
            let x0 = V(repeating: a0[k])
            madd(&c00, x0, b0); madd(&c01, x0, b1)
            let x1 = V(repeating: a1[k])
            madd(&c10, x1, b0); madd(&c11, x1, b1)
            let x2 = V(repeating: a2[k])
            madd(&c20, x2, b0); madd(&c21, x2, b1)
            let x3 = V(repeating: a3[k])
            madd(&c30, x3, b0); madd(&c31, x3, b1)
            let x4 = V(repeating: a4[k])
            madd(&c40, x4, b0); madd(&c41, x4, b1)
            let x5 = V(repeating: a5[k])
            madd(&c50, x5, b0); madd(&c51, x5, b1)
            b += 8
        }
        if add {
            do { let p = c + 0 * ldc
                store(load(p + 0) + c00, p + 0); store(load(p + 4) + c01, p + 4) }
            do { let p = c + 1 * ldc
                store(load(p + 0) + c10, p + 0); store(load(p + 4) + c11, p + 4) }
            do { let p = c + 2 * ldc
                store(load(p + 0) + c20, p + 0); store(load(p + 4) + c21, p + 4) }
            do { let p = c + 3 * ldc
                store(load(p + 0) + c30, p + 0); store(load(p + 4) + c31, p + 4) }
            do { let p = c + 4 * ldc
                store(load(p + 0) + c40, p + 0); store(load(p + 4) + c41, p + 4) }
            do { let p = c + 5 * ldc
                store(load(p + 0) + c50, p + 0); store(load(p + 4) + c51, p + 4) }
        } else {
            do { let p = c + 0 * ldc
                store(c00, p + 0); store(c01, p + 4) }
            do { let p = c + 1 * ldc
                store(c10, p + 0); store(c11, p + 4) }
            do { let p = c + 2 * ldc
                store(c20, p + 0); store(c21, p + 4) }
            do { let p = c + 3 * ldc
                store(c30, p + 0); store(c31, p + 4) }
            do { let p = c + 4 * ldc
                store(c40, p + 0); store(c41, p + 4) }
            do { let p = c + 5 * ldc
                store(c50, p + 0); store(c51, p + 4) }
        }
    }
}
