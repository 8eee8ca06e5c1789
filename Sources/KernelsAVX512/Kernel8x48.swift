// The AVX-512 micro-kernel, 8 rows × 48 columns, written out longhand: 24 named accumulators stay
// in zmm registers (of 32), three 16-wide loads of the B panel and one broadcast per row per k.
import KernelCore

public enum Kernel8x48: GEMMMicroKernel {
    public typealias V = SIMD16<Float>
    public static var mr: Int { 8 }
    public static var nr: Int { 48 }
    // kc·48·4 = 36 KB B micro-panel (L1), mc·kc·4 = 192 KB of A (L2), kc·nc·4 = 360 KB of W.
    public static var kc: Int { 192 }
    public static var mc: Int { 256 }
    public static var nc: Int { 480 }

    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> V {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }
    @inline(__always) static func load(_ p: UnsafeMutablePointer<Float>) -> V {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }
    @inline(__always) static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
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
        let a6 = a + min(6, rows - 1) * lda
        let a7 = a + min(7, rows - 1) * lda
        var c00 = V(), c01 = V(), c02 = V()
        var c10 = V(), c11 = V(), c12 = V()
        var c20 = V(), c21 = V(), c22 = V()
        var c30 = V(), c31 = V(), c32 = V()
        var c40 = V(), c41 = V(), c42 = V()
        var c50 = V(), c51 = V(), c52 = V()
        var c60 = V(), c61 = V(), c62 = V()
        var c70 = V(), c71 = V(), c72 = V()
        var b = b
        for k in 0..<kc {
            let b0 = load(b + 0)
            let b1 = load(b + 16)
            let b2 = load(b + 32)
            let x0 = V(repeating: a0[k])
            c00.addProduct(x0, b0); c01.addProduct(x0, b1); c02.addProduct(x0, b2)
            let x1 = V(repeating: a1[k])
            c10.addProduct(x1, b0); c11.addProduct(x1, b1); c12.addProduct(x1, b2)
            let x2 = V(repeating: a2[k])
            c20.addProduct(x2, b0); c21.addProduct(x2, b1); c22.addProduct(x2, b2)
            let x3 = V(repeating: a3[k])
            c30.addProduct(x3, b0); c31.addProduct(x3, b1); c32.addProduct(x3, b2)
            let x4 = V(repeating: a4[k])
            c40.addProduct(x4, b0); c41.addProduct(x4, b1); c42.addProduct(x4, b2)
            let x5 = V(repeating: a5[k])
            c50.addProduct(x5, b0); c51.addProduct(x5, b1); c52.addProduct(x5, b2)
            let x6 = V(repeating: a6[k])
            c60.addProduct(x6, b0); c61.addProduct(x6, b1); c62.addProduct(x6, b2)
            let x7 = V(repeating: a7[k])
            c70.addProduct(x7, b0); c71.addProduct(x7, b1); c72.addProduct(x7, b2)
            b += 48
        }
        if add {
            do { let p = c + 0 * ldc
                store(load(p + 0) + c00, p + 0); store(load(p + 16) + c01, p + 16); store(load(p + 32) + c02, p + 32) }
            do { let p = c + 1 * ldc
                store(load(p + 0) + c10, p + 0); store(load(p + 16) + c11, p + 16); store(load(p + 32) + c12, p + 32) }
            do { let p = c + 2 * ldc
                store(load(p + 0) + c20, p + 0); store(load(p + 16) + c21, p + 16); store(load(p + 32) + c22, p + 32) }
            do { let p = c + 3 * ldc
                store(load(p + 0) + c30, p + 0); store(load(p + 16) + c31, p + 16); store(load(p + 32) + c32, p + 32) }
            do { let p = c + 4 * ldc
                store(load(p + 0) + c40, p + 0); store(load(p + 16) + c41, p + 16); store(load(p + 32) + c42, p + 32) }
            do { let p = c + 5 * ldc
                store(load(p + 0) + c50, p + 0); store(load(p + 16) + c51, p + 16); store(load(p + 32) + c52, p + 32) }
            do { let p = c + 6 * ldc
                store(load(p + 0) + c60, p + 0); store(load(p + 16) + c61, p + 16); store(load(p + 32) + c62, p + 32) }
            do { let p = c + 7 * ldc
                store(load(p + 0) + c70, p + 0); store(load(p + 16) + c71, p + 16); store(load(p + 32) + c72, p + 32) }
        } else {
            do { let p = c + 0 * ldc
                store(c00, p + 0); store(c01, p + 16); store(c02, p + 32) }
            do { let p = c + 1 * ldc
                store(c10, p + 0); store(c11, p + 16); store(c12, p + 32) }
            do { let p = c + 2 * ldc
                store(c20, p + 0); store(c21, p + 16); store(c22, p + 32) }
            do { let p = c + 3 * ldc
                store(c30, p + 0); store(c31, p + 16); store(c32, p + 32) }
            do { let p = c + 4 * ldc
                store(c40, p + 0); store(c41, p + 16); store(c42, p + 32) }
            do { let p = c + 5 * ldc
                store(c50, p + 0); store(c51, p + 16); store(c52, p + 32) }
            do { let p = c + 6 * ldc
                store(c60, p + 0); store(c61, p + 16); store(c62, p + 32) }
            do { let p = c + 7 * ldc
                store(c70, p + 0); store(c71, p + 16); store(c72, p + 32) }
        }
    }
}
