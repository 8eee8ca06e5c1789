import GEMMCore
/// Row softmax over a window of entries, as causal (and sliding-window) attention needs: entries
/// outside [start, valid) are masked (set to 0). `scale` (> 0, e.g. 1/√head_dim) multiplies the
/// scores first.
public enum Softmax {
    /// row[i] ← exp(scale·row[i] − max) for i in [start, valid), 0 elsewhere in [0, n); returns the
    /// sum of the exponentials, so the caller can divide later (attention divides its output rows,
    /// which are far shorter than the score rows).
    @inline(__always)
    public static func unnormalizedRow(_ row: UnsafeMutablePointer<Float>, start: Int, valid: Int, n: Int,
                                       scale: Float) -> Float {
        if start > 0 { row.update(repeating: 0, count: start) }
        let p = row + start, count = valid - start
        var mv = SIMD16<Float>(repeating: -.infinity)
        var i = 0
        while i + 16 <= count { mv = SIMDMath.max16(mv, SIMDMath.load16(p + i)); i += 16 }
        var m = mv.max()
        while i < count { m = max(m, p[i]); i += 1 }
        let shift = m * scale
        var acc = SIMD16<Float>()
        i = 0
        while i + 16 <= count {
            let e = VectorExp.exp(SIMDMath.load16(p + i) * scale - shift)
            SIMDMath.store16(e, p + i); acc += e; i += 16
        }
        if i < count {
            // tail: lanes past the row are -inf (× scale − shift stays -inf), whose exp is 0
            let e = VectorExp.exp(SIMDMath.loadPartial16(p + i, count - i, fill: -.infinity) * scale - shift)
            SIMDMath.storePartial16(e, p + i, count - i)
            acc += e
        }
        if valid < n { (row + valid).update(repeating: 0, count: n - valid) }
        return acc.sum()
    }
}
