#if canImport(Glibc)
import Glibc
#endif

/// Rotary position embedding tables and application, Hugging Face "rotate half" layout: within a
/// head of size `headDim`, the first `rotaryDim` values are rotated as pairs (i, i + rotaryDim/2).
public struct RopeTable: Sendable {
    public let rotaryDim: Int
    public let maxPositions: Int
    /// cos and sin, (maxPositions, rotaryDim/2)
    public let cos: [Float]
    public let sin: [Float]

    public init(inverseFrequencies: [Float], maxPositions: Int, attentionScaling: Float = 1) {
        let half = inverseFrequencies.count
        rotaryDim = half * 2
        self.maxPositions = maxPositions
        var c = [Float](repeating: 0, count: maxPositions * half)
        var s = c
        for p in 0..<maxPositions {
            for i in 0..<half {
                // angle rounded to f32 like torch's f32 matmul of positions and inv_freq
                let angle = Float(p) * inverseFrequencies[i]
                c[p * half + i] = Float(Glibc.cos(Double(angle))) * attentionScaling
                s[p * half + i] = Float(Glibc.sin(Double(angle))) * attentionScaling
            }
        }
        cos = c
        sin = s
    }

    // x (tokens, heads, headDim) in place; token t has position positions[t].
    public func apply(_ x: UnsafeMutablePointer<Float>, tokens: Int, heads: Int, headDim: Int, positionOffset: Int = 0) {
        let half = rotaryDim / 2
        cos.withUnsafeBufferPointer { cb in
            sin.withUnsafeBufferPointer { sb in
                let cp = cb.baseAddress!, sp = sb.baseAddress!
                Parallel.forRanges(tokens, minimumChunk: 32) { range in
                    for t in range {
                        let pos = t + positionOffset
                        let ct = cp + pos * half, st = sp + pos * half
                        for h in 0..<heads {
                            let v = x + (t * heads + h) * headDim
                            var i = 0
                            while i + 16 <= half {
                                let a = SIMDMath.load16(v + i), b = SIMDMath.load16(v + half + i)
                                let c = SIMDMath.load16(ct + i), s = SIMDMath.load16(st + i)
                                SIMDMath.store16(a * c - b * s, v + i)
                                SIMDMath.store16(b * c + a * s, v + half + i)
                                i += 16
                            }
                            while i < half {
                                let a = v[i], b = v[half + i]
                                v[i] = a * ct[i] - b * st[i]
                                v[half + i] = b * ct[i] + a * st[i]
                                i += 1
                            }
                        }
                    }
                }
            }
        }
    }
}
