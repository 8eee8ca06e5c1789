/// Q8_0: d: f16, then 32 signed bytes; x = q·d.
enum Q8Codecs {
    static let q8_0Bytes = 34

    @Sendable static func dequantizeQ8_0(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        for b in 0..<count / 32 {
            let block = src + b * q8_0Bytes
            let out = dst + b * 32
            let d = block.half(0)
            for j in 0..<32 { out[j] = Float(block.signedByte(2 + j)) * d }
        }
    }

    /// d = max|x| / 127, q = round-half-away(x / d) (gguf-py's `np_roundf`, ggml's `roundf`).
    @Sendable static func quantizeQ8_0(_ src: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer, _ count: Int) {
        for b in 0..<count / 32 {
            let x = src + b * 32
            let block = dst + b * q8_0Bytes
            let d = QuantizerMath.absMax(x, 32) / 127
            let id = QuantizerMath.inverse(d)
            for j in 0..<32 {
                let r = (x[j] * id).rounded(.toNearestOrAwayFromZero)
                let q: Int8 = r >= 127 ? 127 : (r <= -128 ? -128 : (r.isNaN ? 0 : Int8(r)))
                block.storeBytes(of: q, toByteOffset: 2 + j, as: Int8.self)
            }
            block.setHalf(d, 0)
        }
    }
}
