#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TensorCore

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
                vlo = SIMDMath.min16(vlo, v)
                vhi = SIMDMath.max16(vhi, v)
                i += 16
            }
            lo = vlo.min(); hi = vhi.max()
        }
        while i < count { lo = min(lo, x[i]); hi = max(hi, x[i]); i += 1 }
        return (lo, hi)
    }

    /// clamp(round(w / scale) + zero, 0, top) for 16 lanes. Rounding half to even by the
    /// 1.5·2^23 trick (exact in f32 for |t| < 2^22; t is clamped to [−1, top + 1] first, which
    /// changes no result of the final clamp) — `rounded()` on SIMD vectors is not vectorised.
    @inline(__always)
    static func codes16(_ w: SIMD16<Float>, _ scale: SIMD16<Float>, _ zero: SIMD16<Float>,
                        _ top: SIMD16<Float>) -> SIMD16<Float> {
        let magic = SIMD16<Float>(repeating: 12_582_912)  // 1.5 · 2^23
        let one = SIMD16<Float>(repeating: 1), bottom = SIMD16<Float>.zero
        let t = pointwiseMin(pointwiseMax(w / scale + zero, -one), top + one)
        let rounded = (t + magic) - magic
        return pointwiseMin(pointwiseMax(rounded, bottom), top)
    }

    /// Integral codes in [0, 255] as bytes: q + 1.5·2^23 holds q in its low mantissa bits (the
    /// Float → UInt8 vector conversion is not vectorised).
    @inline(__always)
    static func bytes16(_ q: SIMD16<Float>) -> SIMD16<UInt8> {
        let shifted = q + SIMD16<Float>(repeating: 12_582_912)
        return SIMD16<UInt8>(truncatingIfNeeded: unsafeBitCast(shifted, to: SIMD16<UInt32>.self))
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
        let top = SIMD16<Float>(repeating: grid.maxq)
        while i + 16 <= count {
            let w = UnsafeRawPointer(src + i).loadUnaligned(as: SIMD16<Float>.self)
            let q = codes16(w, scale, zero, top)
            UnsafeMutableRawPointer(dst + i).storeBytes(of: scale * (q - zero), as: SIMD16<Float>.self)
            if let codes {
                UnsafeMutableRawPointer(codes + i).storeBytes(of: bytes16(q), as: SIMD16<UInt8>.self)
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
            let top = SIMD16<Float>(repeating: grid.maxq)
            while i + 16 <= count {
                let w = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
                let q = codes16(w, scale, zero, top)
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
