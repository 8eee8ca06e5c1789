import KernelCore
/// Small SIMD helpers shared by the kernels.
public enum SIMDMath {
    @inline(__always)
    public static func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> { VectorLanes.load(p) }

    @inline(__always)
    public static func load16(_ p: UnsafeMutablePointer<Float>) -> SIMD16<Float> { VectorLanes.load(p) }

    @inline(__always)
    public static func store16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) { VectorLanes.store(v, p) }

    /// Lane-wise max and min as a compare + blend. The standard library's `pointwiseMax` /
    /// `pointwiseMin` follow IEEE maximum (a quiet NaN loses) lane by lane through memory: in a
    /// reduction loop that was 12% of a GPTQ calibration run on Zen 4. Here a NaN in `b` is ignored
    /// and one in `a` kept; callers reduce finite values.
    @inline(__always)
    public static func max16(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> { VectorLanes.max(a, b) }

    @inline(__always)
    public static func min16(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> { VectorLanes.min(a, b) }

    /// max over n values.
    @inline(__always)
    public static func maximum(_ x: UnsafePointer<Float>, _ n: Int) -> Float { VectorLanes.maximum(x, n) }

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
