/// Q4_0 (d: f16, 16 bytes of nibbles; x = d·(q−8)) and Q4_1 (d, m: f16, nibbles; x = d·q + m).
/// Element j of a block is the low nibble of byte j (j < 16) or the high nibble of byte j−16.
/// Quantizers follow gguf-py's numpy code operation by operation, so the bytes match exactly.
enum Q4Codecs {
    static let q4_0Bytes = 18
    static let q4_1Bytes = 20

    @Sendable static func dequantizeQ4_0(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        for b in 0..<count / 32 {
            let block = src + b * q4_0Bytes
            let out = dst + b * 32
            let d = block.half(0)
            for j in 0..<16 {
                let q = block.byte(2 + j)
                out[j] = d * Float(Int8(q & 0x0F) - 8)
                out[j + 16] = d * Float(Int8(q >> 4) - 8)
            }
        }
    }

    @Sendable static func quantizeQ4_0(_ src: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer, _ count: Int) {
        for b in 0..<count / 32 {
            let x = src + b * 32
            let block = dst + b * q4_0Bytes
            let d = QuantizerMath.signedAbsMax(x, 32) / -8
            let id = QuantizerMath.inverse(d)
            for j in 0..<16 {
                let lo = QuantizerMath.level(x[j] * id + 8.5, max: 15)
                let hi = QuantizerMath.level(x[j + 16] * id + 8.5, max: 15)
                block.setByte(lo | hi << 4, 2 + j)
            }
            block.setHalf(d, 0)
        }
    }

    @Sendable static func dequantizeQ4_1(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        for b in 0..<count / 32 {
            let block = src + b * q4_1Bytes
            let out = dst + b * 32
            let d = block.half(0), m = block.half(2)
            for j in 0..<16 {
                let q = block.byte(4 + j)
                out[j] = d * Float(q & 0x0F) + m
                out[j + 16] = d * Float(q >> 4) + m
            }
        }
    }

    @Sendable static func quantizeQ4_1(_ src: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer, _ count: Int) {
        for b in 0..<count / 32 {
            let x = src + b * 32
            let block = dst + b * q4_1Bytes
            let (lo, hi) = QuantizerMath.minMax(x, 32)
            let d = (hi - lo) / 15
            let id = QuantizerMath.inverse(d)
            for j in 0..<16 {
                let q0 = QuantizerMath.level((x[j] - lo) * id + 0.5, max: 15)
                let q1 = QuantizerMath.level((x[j + 16] - lo) * id + 0.5, max: 15)
                block.setByte(q0 | q1 << 4, 4 + j)
            }
            block.setHalf(d, 0)
            block.setHalf(lo, 2)
        }
    }
}
