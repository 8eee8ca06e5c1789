/// SIMD dequantizers for the K-quants, bit-identical to Q2KCodec … Q6KCodec. Each works in
/// groups of 16 elements, which never straddle a scale boundary.
enum FastKQuantDequant {
    typealias M = SIMDBlockMath

    @Sendable static func q2_k(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        for b in 0..<count / qkK {
            let block = src + b * Q2KCodec.blockBytes
            let out = dst + b * qkK
            let d = block.half(80), dmin = block.half(82)
            for g in 0..<16 {  // element e = 16·g + i: h = g/8, s = (g/2)%4, l = 16·(g%2) + i
                let sc = block.byte(g)
                let dl = SIMD16<Float>(repeating: d * Float(sc & 0x0F))
                let ml = SIMD16<Float>(repeating: dmin * Float(sc >> 4))
                let q = (M.load16(block, 16 + 32 * (g / 8) + 16 * (g % 2)) &>> UInt8(2 * ((g / 2) % 4))) & 3
                M.store(dl * M.float(q) - ml, out + 16 * g)
            }
        }
    }

    @Sendable static func q3_k(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        for b in 0..<count / qkK {
            let block = src + b * Q3KCodec.blockBytes
            let out = dst + b * qkK
            let d = block.half(108)
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

    @Sendable static func q4_k(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        for b in 0..<count / qkK {
            let block = src + b * Q4KCodec.blockBytes
            let out = dst + b * qkK
            let d = block.half(0), dmin = block.half(2)
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

    @Sendable static func q5_k(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        for b in 0..<count / qkK {
            let block = src + b * Q5KCodec.blockBytes
            let out = dst + b * qkK
            let d = block.half(0), dmin = block.half(2)
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

    @Sendable static func q6_k(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        for b in 0..<count / qkK {
            let block = src + b * Q6KCodec.blockBytes
            let out = dst + b * qkK
            let d = block.half(208)
            for g in 0..<16 {  // e = 16·g + i; h = g/8, r = 16·(g%8) + i
                let h = g / 8, k = g % 8
                let low = (M.load16(block, 64 * h + 16 * (k % 4)) &>> UInt8(4 * (k / 4))) & 0x0F
                let high = (M.load16(block, 128 + 32 * h + 16 * (k % 2)) &>> UInt8(2 * (k / 2))) & 0x03
                let dl = SIMD16<Float>(repeating: d * Float(block.signedByte(192 + g)))
                M.store(dl * M.float(low | high &<< 4, minus: 32), out + 16 * g)
            }
        }
    }
}
