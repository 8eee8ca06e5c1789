/// SIMD dequantizers for the K-quants, bit-identical to ModelFormats' Q2KCodec … Q6KCodec. Each works in
/// groups of 16 elements, which never straddle a scale boundary.
public enum KQuantBlockDequant {
    /// Elements per K-quant super-block.
    public static let superBlock = 256

    @usableFromInline typealias M = BlockBytes

    @inlinable @inline(__always)
    public static func q2_k<I: VectorISA>(_: I.Type, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        for b in 0..<count / superBlock {
            let block = src + b * BlockFormat.q2_k.blockBytes
            let out = dst + b * superBlock
            let d = M.half(block, 80), dmin = M.half(block, 82)
            for g in 0..<16 {  // element e = 16·g + i: h = g/8, s = (g/2)%4, l = 16·(g%2) + i
                let sc = M.byte(block, g)
                let dl = SIMD16<Float>(repeating: d * Float(sc & 0x0F))
                let ml = SIMD16<Float>(repeating: dmin * Float(sc >> 4))
                let q = (M.load16(block, 16 + 32 * (g / 8) + 16 * (g % 2)) &>> UInt8(2 * ((g / 2) % 4))) & 3
                M.store(dl * M.float(q) - ml, out + 16 * g)
            }
        }
    }

    @inlinable @inline(__always)
    public static func q3_k<I: VectorISA>(_: I.Type, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        for b in 0..<count / superBlock {
            let block = src + b * BlockFormat.q3_k.blockBytes
            let out = dst + b * superBlock
            let d = M.half(block, 108)
            for g in 0..<16 {
                let dl = SIMD16<Float>(repeating: d * Float(KQuantScales.q3Scale(block + 96, g)))
                let l0 = 16 * (g % 2)
                let low = (M.load16(block, 32 + 32 * (g / 8) + l0) &>> UInt8(2 * ((g / 2) % 4))) & 3
                let high = (M.load16(block, l0) &>> UInt8(g / 2)) & 1
                // q = low − 4·(1 − high) = (low | high<<2) − 4
                M.store(dl * M.float(low | high &<< 2, minus: 4), out + 16 * g)
            }
        }
    }

    @inlinable @inline(__always)
    public static func q4_k<I: VectorISA>(_: I.Type, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        for b in 0..<count / superBlock {
            let block = src + b * BlockFormat.q4_k.blockBytes
            let out = dst + b * superBlock
            let d = M.half(block, 0), dmin = M.half(block, 2)
            for c in 0..<4 {
                let (sc0, m0) = KQuantScales.scaleAndMin(block + 4, 2 * c)
                let (sc1, m1) = KQuantScales.scaleAndMin(block + 4, 2 * c + 1)
                let dl0 = SIMD16<Float>(repeating: d * Float(sc0)), ml0 = SIMD16<Float>(repeating: dmin * Float(m0))
                let dl1 = SIMD16<Float>(repeating: d * Float(sc1)), ml1 = SIMD16<Float>(repeating: dmin * Float(m1))
                for half in 0..<2 {
                    let q = M.load16(block, 16 + 32 * c + 16 * half)
                    M.store(dl0 * M.float(q & 0x0F) - ml0, out + 64 * c + 16 * half)
                    M.store(dl1 * M.float(q &>> 4) - ml1, out + 64 * c + 32 + 16 * half)
                }
            }
        }
    }

    @inlinable @inline(__always)
    public static func q5_k<I: VectorISA>(_: I.Type, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        for b in 0..<count / superBlock {
            let block = src + b * BlockFormat.q5_k.blockBytes
            let out = dst + b * superBlock
            let d = M.half(block, 0), dmin = M.half(block, 2)
            for j in 0..<8 {
                let (sc, m) = KQuantScales.scaleAndMin(block + 4, j)
                let dl = SIMD16<Float>(repeating: d * Float(sc)), ml = SIMD16<Float>(repeating: dmin * Float(m))
                let shift = UInt8(4 * (j % 2))
                for half in 0..<2 {
                    let low = (M.load16(block, 48 + 32 * (j / 2) + 16 * half) &>> shift) & 0x0F
                    let high = ((M.load16(block, 16 + 16 * half) &>> UInt8(j)) & 1) &<< 4
                    M.store(dl * M.float(low | high) - ml, out + 32 * j + 16 * half)
                }
            }
        }
    }

    @inlinable @inline(__always)
    public static func q6_k<I: VectorISA>(_: I.Type, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        for b in 0..<count / superBlock {
            let block = src + b * BlockFormat.q6_k.blockBytes
            let out = dst + b * superBlock
            let d = M.half(block, 208)
            for g in 0..<16 {  // e = 16·g + i; h = g/8, r = 16·(g%8) + i
                let h = g / 8, k = g % 8
                let low = (M.load16(block, 64 * h + 16 * (k % 4)) &>> UInt8(4 * (k / 4))) & 0x0F
                let high = (M.load16(block, 128 + 32 * h + 16 * (k % 2)) &>> UInt8(2 * (k / 2))) & 0x03
                let dl = SIMD16<Float>(repeating: d * Float(M.signedByte(block, 192 + g)))
                M.store(dl * M.float(low | high &<< 4, minus: 32), out + 16 * g)
            }
        }
    }
}
