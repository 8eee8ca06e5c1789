/// Adding a branch to the residual stream (or position embeddings to token embeddings).
public enum Residual {
    // x (count) += y (count), 16 lanes at a time
    public static func add(_ y: UnsafePointer<Float>, into x: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.forRanges(count / 16, minimumChunk: 4096) { range in
            for b in range {
                let i = b * 16
                SIMDMath.store16(SIMDMath.load16(x + i) + SIMDMath.load16(y + i), x + i)
            }
        }
        for i in (count / 16) * 16..<count { x[i] += y[i] }
    }
}
