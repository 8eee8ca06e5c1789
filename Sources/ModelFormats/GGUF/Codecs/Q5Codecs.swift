/// Q5_0 (d: f16, qh: u32 of high bits, 16 bytes of low nibbles; x = d·(q−16)) and Q5_1 (d, m: f16,
/// qh, nibbles; x = d·q + m). Bit j of qh is bit 4 of element j.
enum Q5Codecs {
    static let q5_0Bytes = 22
    static let q5_1Bytes = 24

    @Sendable static func dequantizeQ5_0(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        for b in 0..<count / 32 {
            let block = src + b * q5_0Bytes
            let out = dst + b * 32
            let d = block.half(0)
            let qh = block.uint32(2)
            for j in 0..<16 {
                let q = block.byte(6 + j)
                let h0 = UInt8(truncatingIfNeeded: (qh >> UInt32(j)) & 1) << 4
                let h1 = UInt8(truncatingIfNeeded: (qh >> UInt32(j + 16)) & 1) << 4
                out[j] = d * Float(Int8((q & 0x0F) | h0) - 16)
                out[j + 16] = d * Float(Int8((q >> 4) | h1) - 16)
            }
        }
    }

    @Sendable static func quantizeQ5_0(_ src: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer, _ count: Int) {
        for b in 0..<count / 32 {
            let x = src + b * 32
            let block = dst + b * q5_0Bytes
            let d = QuantizerMath.signedAbsMax(x, 32) / -16
            let id = QuantizerMath.inverse(d)
            var qh: UInt32 = 0
            for j in 0..<16 {
                let q0 = QuantizerMath.level(x[j] * id + 16.5, max: 31)
                let q1 = QuantizerMath.level(x[j + 16] * id + 16.5, max: 31)
                block.setByte((q0 & 0x0F) | q1 << 4, 6 + j)
                qh |= UInt32(q0 >> 4) << UInt32(j) | UInt32(q1 >> 4) << UInt32(j + 16)
            }
            block.setHalf(d, 0)
            block.setUInt32(qh, 2)
        }
    }

    @Sendable static func dequantizeQ5_1(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        for b in 0..<count / 32 {
            let block = src + b * q5_1Bytes
            let out = dst + b * 32
            let d = block.half(0), m = block.half(2)
            let qh = block.uint32(4)
            for j in 0..<16 {
                let q = block.byte(8 + j)
                let h0 = UInt8(truncatingIfNeeded: (qh >> UInt32(j)) & 1) << 4
                let h1 = UInt8(truncatingIfNeeded: (qh >> UInt32(j + 16)) & 1) << 4
                out[j] = d * Float((q & 0x0F) | h0) + m
                out[j + 16] = d * Float((q >> 4) | h1) + m
            }
        }
    }

    @Sendable static func quantizeQ5_1(_ src: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer, _ count: Int) {
        for b in 0..<count / 32 {
            let x = src + b * 32
            let block = dst + b * q5_1Bytes
            let (lo, hi) = QuantizerMath.minMax(x, 32)
            let d = (hi - lo) / 31
            let id = QuantizerMath.inverse(d)
            var qh: UInt32 = 0
            for j in 0..<16 {
                let q0 = QuantizerMath.level((x[j] - lo) * id + 0.5, max: 31)
                let q1 = QuantizerMath.level((x[j + 16] - lo) * id + 0.5, max: 31)
                block.setByte((q0 & 0x0F) | q1 << 4, 8 + j)
                qh |= UInt32(q0 >> 4) << UInt32(j) | UInt32(q1 >> 4) << UInt32(j + 16)
            }
            block.setHalf(d, 0)
            block.setHalf(lo, 2)
            block.setUInt32(qh, 4)
        }
    }
}
