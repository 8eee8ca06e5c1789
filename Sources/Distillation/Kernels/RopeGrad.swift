import TensorCore

/// Rotary position embedding in Hugging Face's "rotate half" layout on the first `rotaryDim`
/// values of each head, and its transpose (the backward pass: a rotation's gradient is the
/// inverse rotation).
public struct RopeGrad<T: GradScalar>: Sendable {
    public let rotaryDim: Int
    /// cos and sin (positions, rotaryDim/2), attention scaling included.
    let cos: [T], sin: [T]
    public let positions: Int

    /// The tables of `table` for positions 0 ..< positions.
    public init(_ table: RopeTable, positions: Int) {
        precondition(positions <= table.tabulatedPositions, "RoPE table holds \(table.tabulatedPositions) positions, need \(positions)")
        rotaryDim = table.rotaryDim
        self.positions = positions
        let half = rotaryDim / 2
        cos = table.cos.prefix(positions * half).map { T($0) }
        sin = table.sin.prefix(positions * half).map { T($0) }
    }

    /// x (windows·tokens, heads, headDim) in place; token t of each window has position t.
    /// `inverse` rotates by −θ (the backward pass).
    public func apply(_ x: UnsafeMutablePointer<T>, windows: Int, tokens: Int, heads: Int, headDim: Int,
                      inverse: Bool = false) {
        let half = rotaryDim / 2
        let sign: T = inverse ? -1 : 1
        cos.withUnsafeBufferPointer { cb in
            sin.withUnsafeBufferPointer { sb in
                let cp = cb.baseAddress!, sp = sb.baseAddress!
                Parallel.forRanges(windows * tokens, minimumChunk: 32) { range in
                    for row in range {
                        let t = row % tokens
                        let ct = cp + t * half, st = sp + t * half
                        for h in 0..<heads {
                            let v = x + (row * heads + h) * headDim
                            for i in 0..<half {
                                let a = v[i], b = v[half + i], c = ct[i], s = sign * st[i]
                                v[i] = a * c - b * s
                                v[half + i] = b * c + a * s
                            }
                        }
                    }
                }
            }
        }
    }
}
