import KernelCore

/// Q3_K (110 bytes per 256): hmask[32], qs[64] (low 2 bits), scales[12] (16 signed 6-bit scales),
/// d: f16. Element e = 128·h + 32·s + l has low bits 2s…2s+1 of qs[32·h + l] and high bit e/32 of
/// hmask[l]; q = low − (high bit set ? 0 : 4); x = (d·scale)·q.
enum Q3KCodec {
    static let blockBytes = 110

    @Sendable static func dequantize(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        for b in 0..<count / qkK {
            let block = src + b * blockBytes
            let out = dst + b * qkK
            let d = block.half(108)
            let scales = block + 96
            for e in 0..<qkK {
                let h = e / 128, s = (e % 128) / 32, l = e % 32
                let low = Int8((block.byte(32 + 32 * h + l) >> UInt8(2 * s)) & 3)
                let highSet = (block.byte(l) >> UInt8(e / 32)) & 1 == 1
                let q = low - (highSet ? 0 : 4)
                let dl = d * Float(KQuantScales.q3Scale(scales, e / 16))
                out[e] = dl * Float(q)
            }
        }
    }
}
