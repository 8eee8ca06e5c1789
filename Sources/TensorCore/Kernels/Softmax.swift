/// Row-wise softmax in place, optionally over only the first `valid[r]` entries of each row
/// (the rest set to 0), which is how causal attention masks the future.
public enum Softmax {
    // x (rows, n) in place; row r uses its first validCount(r) entries.
    /// Softmax of row[start..<valid] · scale; entries outside [start, valid) become 0.
    @inline(__always)
    public static func rowInPlace(_ row: UnsafeMutablePointer<Float>, start: Int, valid: Int, n: Int, scale: Float) {
        if start > 0 { row.update(repeating: 0, count: start) }
        rowInPlace(row + start, valid: valid - start, n: n - start, scale: scale)
    }

    @inline(__always)
    public static func rowInPlace(_ row: UnsafeMutablePointer<Float>, valid: Int, n: Int, scale: Float) {
        // scores are multiplied by `scale` first (1/sqrt(head_dim)).
        var m = -Float.infinity
        var i = 0
        var mv = SIMD16<Float>(repeating: -.infinity)
        while i + 16 <= valid { mv = pointwiseMax(mv, SIMDMath.load16(row + i)); i += 16 }
        m = mv.max()
        while i < valid { m = max(m, row[i]); i += 1 }
        let shift = m * scale
        var acc = SIMD16<Float>()
        i = 0
        while i + 16 <= valid {
            let e = VectorExp.exp(SIMDMath.load16(row + i) * scale - shift)
            SIMDMath.store16(e, row + i); acc += e; i += 16
        }
        var sum = acc.sum()
        while i < valid {
            var t = SIMD16<Float>(repeating: -.infinity); t[0] = row[i] * scale - shift
            let e = VectorExp.exp(t)[0]
            row[i] = e; sum += e; i += 1
        }
        let inv = 1 / sum
        i = 0
        while i + 16 <= valid { SIMDMath.store16(SIMDMath.load16(row + i) * inv, row + i); i += 16 }
        while i < valid { row[i] *= inv; i += 1 }
        if valid < n { (row + valid).update(repeating: 0, count: n - valid) }
    }
}
