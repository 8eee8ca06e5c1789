import KernelCore
/// Small SIMD helpers shared by the kernels.
public enum SIMDMath {
    @inline(__always)
    public static func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always)
    public static func load16(_ p: UnsafeMutablePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always)
    public static func store16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
    }

    /// The `count` (< 16) values at p in the first lanes, `fill` in the others; reads nothing past
    /// p + count. One copy through memory: setting the lanes one by one instead costs a
    /// store-forwarding stall per lane (it was 86% of attention's own time on Zen 4).
    @inline(__always)
    public static func loadPartial16(_ p: UnsafePointer<Float>, _ count: Int, fill: Float) -> SIMD16<Float> {
        var v = SIMD16<Float>(repeating: fill)
        withUnsafeMutableBytes(of: &v) { $0.baseAddress!.copyMemory(from: p, byteCount: count * MemoryLayout<Float>.size) }
        return v
    }

    /// Writes the first `count` (< 16) lanes of v to p, nothing past p + count.
    @inline(__always)
    public static func storePartial16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
        withUnsafeBytes(of: v) { UnsafeMutableRawPointer(p).copyMemory(from: $0.baseAddress!, byteCount: count * MemoryLayout<Float>.size) }
    }

    /// Lane-wise max and min as a compare + blend. The standard library's `pointwiseMax` /
    /// `pointwiseMin` follow IEEE maximum (a quiet NaN loses) lane by lane through memory: in a
    /// reduction loop that was 12% of a GPTQ calibration run on Zen 4. Here a NaN in `b` is ignored
    /// and one in `a` kept; callers reduce finite values.
    @inline(__always)
    public static func max16(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> { a.replacing(with: b, where: b .> a) }

    @inline(__always)
    public static func min16(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> { a.replacing(with: b, where: b .< a) }

    /// max over n values.
    @inline(__always)
    public static func maximum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var m = SIMD16<Float>(repeating: -.infinity)
        var i = 0
        while i + 16 <= n { m = max16(m, load16(x + i)); i += 16 }
        var s = m.max()
        while i < n { s = Swift.max(s, x[i]); i += 1 }
        return s
    }

    /// log Σ exp(x) (stable): max + log Σ exp(x − max), the reduction compiled per instruction
    /// set (`VectorKernels`).
    @inline(__always)
    public static func logSumExp(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        let (m, sum) = VectorKernels.active.maxAndSumExp(x, n)
        return m + Float.log(sum)
    }
}
extension Float {
    @inline(__always) static func log(_ x: Float) -> Float { Foundation_log(x) }
}
#if canImport(Glibc)
import Glibc
@inline(__always) func Foundation_log(_ x: Float) -> Float { logf(x) }
#else
import Darwin
@inline(__always) func Foundation_log(_ x: Float) -> Float { logf(x) }
#endif
