#if canImport(Glibc)
import Glibc
#endif

/// Rotary position embedding tables and application, Hugging Face "rotate half" layout: within a
/// head of size `headDim`, the first `rotaryDim` values are rotated as pairs (i, i + rotaryDim/2).
///
/// cos/sin are tabulated for the first `tabulatedPositions` positions (at most
/// `maximumTabulatedPositions`, so a model that claims a context of 2^30 does not allocate
/// gigabytes); later positions are computed when applied, with the same formula and rounding.
public struct RopeTable: Sendable {
    public let rotaryDim: Int
    public let maxPositions: Int
    /// Positions held in `cos`/`sin`.
    public let tabulatedPositions: Int
    /// cos and sin, (tabulatedPositions, rotaryDim/2)
    public let cos: [Float]
    public let sin: [Float]
    let inverseFrequencies: [Float]
    let attentionScaling: Float

    /// 32768 positions × 64 frequencies × 2 tables × 4 bytes = 16 MiB at most per table pair.
    public static let maximumTabulatedPositions = 32768

    public init(inverseFrequencies: [Float], maxPositions: Int, attentionScaling: Float = 1) {
        let half = inverseFrequencies.count
        rotaryDim = half * 2
        self.maxPositions = maxPositions
        self.inverseFrequencies = inverseFrequencies
        self.attentionScaling = attentionScaling
        let rows = max(0, min(maxPositions, Self.maximumTabulatedPositions))
        tabulatedPositions = rows
        var c = [Float](repeating: 0, count: rows * half)
        var s = c
        c.withUnsafeMutableBufferPointer { cb in
            s.withUnsafeMutableBufferPointer { sb in
                for p in 0..<rows {
                    Self.angles(position: p, inverseFrequencies, attentionScaling, cos: cb.baseAddress! + p * half,
                                sin: sb.baseAddress! + p * half)
                }
            }
        }
        cos = c
        sin = s
    }

    /// cos/sin of one position's angles (angle rounded to f32 like torch's f32 matmul of positions
    /// and inv_freq), times the attention scaling.
    static func angles(position p: Int, _ inverseFrequencies: [Float], _ scaling: Float,
                       cos c: UnsafeMutablePointer<Float>, sin s: UnsafeMutablePointer<Float>) {
        for i in inverseFrequencies.indices {
            let angle = Float(p) * inverseFrequencies[i]
            c[i] = Float(Glibc.cos(Double(angle))) * scaling
            s[i] = Float(Glibc.sin(Double(angle))) * scaling
        }
    }

    /// Rotates q (windows·tokens, heads·hd) and k (windows·tokens, kvHeads·hd) in place, positions
    /// restarting at 0 in every window.
    public func apply(q: UnsafeMutablePointer<Float>, k: UnsafeMutablePointer<Float>, windows: Int, tokens: Int,
                      heads: Int, kvHeads: Int, headDim: Int) {
        for w in 0..<windows {
            apply(q + w * tokens * heads * headDim, tokens: tokens, heads: heads, headDim: headDim)
            apply(k + w * tokens * kvHeads * headDim, tokens: tokens, heads: kvHeads, headDim: headDim)
        }
    }

    // x (tokens, heads, headDim) in place; token t has position t + positionOffset.
    public func apply(_ x: UnsafeMutablePointer<Float>, tokens: Int, heads: Int, headDim: Int, positionOffset: Int = 0) {
        let half = rotaryDim / 2
        cos.withUnsafeBufferPointer { cb in
            sin.withUnsafeBufferPointer { sb in
                let cp = cb.baseAddress, sp = sb.baseAddress
                Parallel.forRanges(tokens, minimumChunk: 32) { range in
                    // Positions past the table: this range's own cos/sin row.
                    let beyond = range.upperBound + positionOffset > tabulatedPositions
                    let row = UnsafeMutablePointer<Float>.allocate(capacity: beyond ? 2 * max(half, 1) : 1)
                    defer { row.deallocate() }
                    for t in range {
                        let pos = t + positionOffset
                        let ct: UnsafePointer<Float>, st: UnsafePointer<Float>
                        if pos < tabulatedPositions, let cp, let sp {
                            ct = cp + pos * half
                            st = sp + pos * half
                        } else {
                            Self.angles(position: pos, inverseFrequencies, attentionScaling, cos: row, sin: row + half)
                            ct = UnsafePointer(row)
                            st = UnsafePointer(row + half)
                        }
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
