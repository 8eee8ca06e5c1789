/// Splitting fused attention projections into per-role buffers.
public enum HeadLayout {
    /// Splits a fused q/k/v projection laid out per row as (groups, 3, width) into q, k, v, each
    /// (rows, groups·width). GPT-NeoX and BLOOM interleave per head (groups = heads, width =
    /// headDim); GPT-2's c_attn concatenates (groups = 1, width = d).
    public static func splitQKV(
        _ fused: UnsafePointer<Float>, rows: Int, groups: Int, width: Int,
        q: UnsafeMutablePointer<Float>, k: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>
    ) {
        let outStride = groups * width, inStride = 3 * outStride
        Parallel.forRanges(rows, minimumChunk: 64) { range in
            for r in range {
                for g in 0..<groups {
                    let src = fused + r * inStride + g * 3 * width, dst = r * outStride + g * width
                    (q + dst).update(from: src, count: width)
                    (k + dst).update(from: src + width, count: width)
                    (v + dst).update(from: src + 2 * width, count: width)
                }
            }
        }
    }
}
