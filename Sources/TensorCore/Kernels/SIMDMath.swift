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

    /// Σ x², accumulated in 16 lanes.
    @inline(__always)
    public static func sumOfSquares(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD16<Float>()
        var i = 0
        while i + 16 <= n { let v = load16(x + i); acc.addProduct(v, v); i += 16 }
        var s = acc.sum()
        while i < n { s += x[i] * x[i]; i += 1 }
        return s
    }

    /// max over n values.
    @inline(__always)
    public static func maximum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var m = SIMD16<Float>(repeating: -.infinity)
        var i = 0
        while i + 16 <= n { m = pointwiseMax(m, load16(x + i)); i += 16 }
        var s = m.max()
        while i < n { s = Swift.max(s, x[i]); i += 1 }
        return s
    }

    /// Σ exp(x - shift), vectorised.
    @inline(__always)
    public static func sumExp(_ x: UnsafePointer<Float>, _ n: Int, shift: Float) -> Float {
        var acc = SIMD16<Float>()
        var i = 0
        while i + 16 <= n { acc += VectorExp.exp(load16(x + i) - shift); i += 16 }
        var s = acc.sum()
        if i < n {
            var tail = SIMD16<Float>(repeating: -.infinity)
            for j in i..<n { tail[j - i] = x[j] - shift }
            s += VectorExp.exp(tail).sum()
        }
        return s
    }

    /// log Σ exp(x) (stable).
    @inline(__always)
    public static func logSumExp(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        let m = maximum(x, n)
        return m + Float.log(sumExp(x, n, shift: m))
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
