#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIMD loops over one contiguous run of weights (a group, or a row).
public enum QuantKernels {
    /// (min, max) of `count` values; (0, 0) when count is 0.
    @inline(__always)
    public static func minMax(_ x: UnsafePointer<Float>, _ count: Int) -> (Float, Float) {
        guard count > 0 else { return (0, 0) }
        var i = 0
        var lo = Float.infinity, hi = -Float.infinity
        if count >= 16 {
            var vlo = SIMD16<Float>(repeating: .infinity), vhi = SIMD16<Float>(repeating: -.infinity)
            while i + 16 <= count {
                let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
                vlo = pointwiseMin(vlo, v)
                vhi = pointwiseMax(vhi, v)
                i += 16
            }
            lo = vlo.min(); hi = vhi.max()
        }
        while i < count { lo = min(lo, x[i]); hi = max(hi, x[i]); i += 1 }
        return (lo, hi)
    }

    /// Fake-quantizes `count` values from `src` into `dst` (may alias `src`) with one group's
    /// parameters; writes the codes to `codes` when given.
    @inline(__always)
    public static func quantize(
        _ src: UnsafePointer<Float>, _ count: Int, grid: QuantGrid, _ p: GroupParameters,
        into dst: UnsafeMutablePointer<Float>, codes: UnsafeMutablePointer<UInt8>? = nil
    ) {
        var i = 0
        let scale = SIMD16<Float>(repeating: p.scale), zero = SIMD16<Float>(repeating: p.zero)
        let top = SIMD16<Float>(repeating: grid.maxq), bottom = SIMD16<Float>(repeating: 0)
        while i + 16 <= count {
            let w = UnsafeRawPointer(src + i).loadUnaligned(as: SIMD16<Float>.self)
            let q = pointwiseMin(pointwiseMax((w / scale).rounded(.toNearestOrEven) + zero, bottom), top)
            UnsafeMutableRawPointer(dst + i).storeBytes(of: scale * (q - zero), as: SIMD16<Float>.self)
            if let codes {
                UnsafeMutableRawPointer(codes + i).storeBytes(of: SIMD16<UInt8>(q), as: SIMD16<UInt8>.self)
            }
            i += 16
        }
        while i < count {
            let q = grid.code(src[i], p)
            dst[i] = grid.value(q, p)
            codes?[i] = UInt8(q)
            i += 1
        }
    }

    /// Σ |w − Q(w)|^norm over `count` values (norm 2: plain squared error).
    @inline(__always)
    public static func error(_ x: UnsafePointer<Float>, _ count: Int, grid: QuantGrid, _ p: GroupParameters,
                             norm: Float) -> Float {
        var total: Float = 0
        if norm == 2 {
            var i = 0
            var acc = SIMD16<Float>(repeating: 0)
            let scale = SIMD16<Float>(repeating: p.scale), zero = SIMD16<Float>(repeating: p.zero)
            let top = SIMD16<Float>(repeating: grid.maxq), bottom = SIMD16<Float>(repeating: 0)
            while i + 16 <= count {
                let w = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
                let q = pointwiseMin(pointwiseMax((w / scale).rounded(.toNearestOrEven) + zero, bottom), top)
                let e = scale * (q - zero) - w
                acc += e * e
                i += 16
            }
            total = acc.sum()
            while i < count { let e = grid.fakeQuantize(x[i], p) - x[i]; total += e * e; i += 1 }
            return total
        }
        for i in 0..<count { total += powf(abs(grid.fakeQuantize(x[i], p) - x[i]), norm) }
        return total
    }

    /// y[0..<n] += a · x[0..<n].
    @inline(__always)
    public static func axpy(_ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        let va = SIMD16<Float>(repeating: a)
        while i + 16 <= n {
            let vx = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            let vy = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(y + i).storeBytes(of: vy.addingProduct(va, vx), as: SIMD16<Float>.self)
            i += 16
        }
        while i < n { y[i] += a * x[i]; i += 1 }
    }
}
