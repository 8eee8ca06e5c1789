/// ggml's quantizers for the 32-weight block types Q4_0, Q4_1, Q5_0, Q5_1 and Q8_0, as
/// `ggml_quantize_chunk` runs them for `llama-quantize`: without an importance matrix the
/// `quantize_row_*_ref` functions, with one the `quantize_row_*_impl` searches (Q8_0 ignores it).
/// One row of `n` weights at a time (the importance searches weigh by the row's mean square).
///
///     Q4_0 (18 B): d f16 | 16 B nibbles          x_j = d·(q_j − 8),  d = signed extreme / −8
///     Q4_1 (20 B): d f16 | m f16 | 16 B nibbles  x_j = d·q_j + m
///     Q5_0 (22 B): d f16 | qh u32 | 16 B nibbles x_j = d·(q_j − 16), d = signed extreme / −16
///     Q5_1 (24 B): d f16 | m f16 | qh u32 | 16 B x_j = d·q_j + m
///     Q8_0 (34 B): d f16 | 32 × i8               x_j = d·q_j,        d = max|x| / 127
///
/// Nibble byte j holds element j (low) and j + 16 (high); bit j of qh is bit 4 of element j.
enum LegacyBlockQuantizer {
    typealias Rounding = GGMLRounding
    typealias Search = GGMLScaleSearch

    static func quantizeRow(_ type: GGMLBlockGrid, _ x: UnsafePointer<Float>, _ n: Int,
                            importance: UnsafePointer<Float>?, into out: UnsafeMutableRawPointer) {
        let blocks = n / 32, size = type.blockBytes
        guard let importance, type != .q8_0 else {
            for b in 0..<blocks { reference(type, x + 32 * b, out + b * size) }
            return
        }
        var sumX2: Float = 0
        for j in 0..<n { sumX2 += x[j] * x[j] }
        let sigma2 = sumX2 / Float(n)
        var weight = [Float](repeating: 0, count: 32)
        var levels = [UInt8](repeating: 0, count: 32), aux = [UInt8](repeating: 0, count: 32)
        var signed = [Int8](repeating: 0, count: 32)
        for b in 0..<blocks {
            let xb = x + 32 * b, qw = importance + 32 * b, block = out + b * size
            for j in 0..<32 { weight[j] = qw[j] * (sigma2 + xb[j] * xb[j]).squareRoot() }
            switch type {
            case .q4_0, .q5_0:
                let nmax = type == .q4_0 ? 8 : 16
                let d = weight.withUnsafeBufferPointer { w in
                    signed.withUnsafeMutableBufferPointer { Search.symmetricScale(32, nmax, xb, $0.baseAddress!, rmseType: 1, weights: w.baseAddress!) }
                }
                for j in 0..<32 { levels[j] = UInt8(bitPattern: signed[j]) }
                block.storeHalf(Rounding.half(d), 0)
                pack(type, levels, block)
            default:
                var theMin: Float = 0
                let nmax = type == .q4_1 ? 15 : 31
                let d = weight.withUnsafeBufferPointer { w in
                    levels.withUnsafeMutableBufferPointer { l in
                        aux.withUnsafeMutableBufferPointer { a in
                            Search.affineScale(32, nmax, xb, weights: w.baseAddress!, l.baseAddress!, theMin: &theMin, a.baseAddress!,
                                               rmin: -0.9, rdelta: 0.05, nstep: 36, useMAD: false, variant3: true)
                        }
                    }
                }
                block.storeHalf(Rounding.half(d), 0)
                block.storeHalf(Rounding.half(-theMin), 2)
                pack(type, levels, block)
            }
        }
    }

    /// Writes one block's header (and ggml's codes, which a caller choosing its own overwrites):
    /// the block quantized as a row of its own, so an importance search weighs by the block's
    /// mean square instead of the row's.
    static func fitHeader(_ type: GGMLBlockGrid, _ x: UnsafePointer<Float>, importance: UnsafePointer<Float>?,
                          into block: UnsafeMutableRawPointer) {
        quantizeRow(type, x, 32, importance: importance, into: block)
    }

    /// The `quantize_row_*_ref` of one block.
    static func reference(_ type: GGMLBlockGrid, _ x: UnsafePointer<Float>, _ block: UnsafeMutableRawPointer) {
        var levels = [UInt8](repeating: 0, count: 32)
        switch type {
        case .q4_0, .q5_0:
            var amax: Float = 0, max: Float = 0
            for j in 0..<32 where amax < abs(x[j]) { amax = abs(x[j]); max = x[j] }
            let half: Float = type == .q4_0 ? 8 : 16, top: Int32 = type == .q4_0 ? 15 : 31
            let d = max / -half
            let id: Float = d != 0 ? 1 / d : 0
            block.storeHalf(Rounding.half(d), 0)
            for j in 0..<32 {
                // (int8_t)(x·id + 8.5) then MIN(15, ·) stored as uint8
                let l = Int8(truncatingIfNeeded: Rounding.truncated(x[j] * id + (half + 0.5)))
                levels[j] = UInt8(truncatingIfNeeded: Swift.min(top, Int32(l)))
            }
        case .q4_1, .q5_1:
            var min = Float.greatestFiniteMagnitude, max = -Float.greatestFiniteMagnitude
            for j in 0..<32 {
                if x[j] < min { min = x[j] }
                if x[j] > max { max = x[j] }
            }
            let d = (max - min) / (type == .q4_1 ? 15 : 31)
            let id: Float = d != 0 ? 1 / d : 0
            block.storeHalf(Rounding.half(d), 0)
            block.storeHalf(Rounding.half(min), 2)
            for j in 0..<32 {
                let v = Rounding.truncated((x[j] - min) * id + 0.5)
                // Q4_1: MIN(15, (int8_t)v); Q5_1: (uint8_t)v, high bits dropped by the packing
                levels[j] = type == .q4_1 ? UInt8(truncatingIfNeeded: Swift.min(15, Int32(Int8(truncatingIfNeeded: v))))
                                          : UInt8(truncatingIfNeeded: v)
            }
        case .q8_0:
            var amax: Float = 0
            for j in 0..<32 { amax = Swift.max(amax, abs(x[j])) }
            let d = amax / 127
            let id: Float = d != 0 ? 1 / d : 0
            block.storeHalf(Rounding.half(d), 0)
            for j in 0..<32 {
                // roundf: half away from zero
                let q = Rounding.truncated((x[j] * id).rounded(.toNearestOrAwayFromZero))
                block.storeBytes(of: Int8(truncatingIfNeeded: q), toByteOffset: 2 + j, as: Int8.self)
            }
            return
        default:
            preconditionFailure("\(type) is not a 32-weight block type")
        }
        pack(type, levels, block)
    }

    /// Writes the codes (unsigned levels) of one block after its header.
    static func pack(_ type: GGMLBlockGrid, _ levels: [UInt8], _ block: UnsafeMutableRawPointer) {
        let nibbleOffset: Int, highOffset: Int?
        switch type {
        case .q4_0: nibbleOffset = 2; highOffset = nil
        case .q4_1: nibbleOffset = 4; highOffset = nil
        case .q5_0: nibbleOffset = 6; highOffset = 2
        case .q5_1: nibbleOffset = 8; highOffset = 4
        case .q8_0:
            for j in 0..<32 { block.storeBytes(of: Int8(truncatingIfNeeded: Int(levels[j]) - 128), toByteOffset: 2 + j, as: Int8.self) }
            return
        default: preconditionFailure("\(type) is not a 32-weight block type")
        }
        for j in 0..<16 {
            block.storeBytes(of: (levels[j] & 0x0F) | (levels[j + 16] & 0x0F) << 4, toByteOffset: nibbleOffset + j, as: UInt8.self)
        }
        if let highOffset {
            var qh: UInt32 = 0
            for j in 0..<32 { qh |= UInt32(levels[j] >> 4 & 1) << UInt32(j) }
            block.storeBytes(of: qh.littleEndian, toByteOffset: highOffset, as: UInt32.self)
        }
    }
}

extension UnsafeMutableRawPointer {
    @inline(__always) func storeHalf(_ bits: UInt16, _ offset: Int) {
        storeBytes(of: bits.littleEndian, toByteOffset: offset, as: UInt16.self)
    }
}
