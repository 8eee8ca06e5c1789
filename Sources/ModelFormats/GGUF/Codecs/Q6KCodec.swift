/// Q6_K (210 bytes per 256): ql[128] (low nibbles), qh[64] (high 2 bits), scales[16] (signed
/// 8-bit, per 16 elements), d: f16. Element e = 128·h + r: low nibble (r/64) of ql[64·h + r%64],
/// high bits 2·(r/32)… of qh[32·h + r%32]; q = (low | high<<4) − 32; x = (d·scale)·q.
enum Q6KCodec {
    static let blockBytes = 210

    @Sendable static func dequantize(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        for b in 0..<count / qkK {
            let block = src + b * blockBytes
            let out = dst + b * qkK
            let d = block.half(208)
            for e in 0..<qkK {
                let h = e / 128, r = e % 128
                let low = (block.byte(64 * h + r % 64) >> UInt8(4 * (r / 64))) & 0x0F
                let high = (block.byte(128 + 32 * h + r % 32) >> UInt8(2 * (r / 32))) & 0x03
                let q = Int8(low | high << 4) - 32
                let dl = d * Float(block.signedByte(192 + e / 16))
                out[e] = dl * Float(q)
            }
        }
    }
}
