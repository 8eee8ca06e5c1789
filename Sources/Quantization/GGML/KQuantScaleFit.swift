/// The first half of ggml's K-quant quantizers (`quantize_row_q{2..6}_K_ref` without an
/// importance matrix, `quantize_row_q{2..6}_K_impl` with one): the search for each sub-block's
/// scale (and min), and their quantization to the super-block's stored header — 4-bit scale/min
/// pairs under f16 `d`/`dmin` (Q2_K), 6-bit signed scales under `d` (Q3_K), 6-bit scale/min
/// pairs under `d`/`dmin` (Q4_K, Q5_K), 8-bit signed scales under `d` (Q6_K). Writes the header
/// fields of one 256-weight block and returns the search's own levels (what ggml keeps for a
/// sub-block whose stored scale is 0). The codes are then chosen on the stored grid
/// (`GGMLBlockGrid.SubBlocks`), as ggml's final re-quantization pass does.
enum KQuantScaleFit {
    typealias Rounding = GGMLRounding
    typealias Search = GGMLScaleSearch
    static let superBlock = 256

    static func fit(_ type: GGMLBlockGrid, _ x: UnsafePointer<Float>, importance: UnsafePointer<Float>?,
                    header block: UnsafeMutableRawPointer, levels: UnsafeMutablePointer<UInt8>) {
        switch type {
        case .q2_k: importance == nil ? q2Reference(x, block, levels) : q2Weighted(x, importance!, block, levels)
        case .q3_k: importance == nil ? q3Reference(x, block, levels) : q3Weighted(x, importance, block, levels)
        case .q4_k, .q5_k: importance == nil ? q45Reference(type, x, block, levels) : q45Weighted(type, x, importance, block, levels)
        case .q6_k: q6(x, importance, block, levels)
        default: preconditionFailure("\(type) is not a K-quant")
        }
    }

    // MARK: Q2_K — 16 sub-blocks of 16, 4-bit scale | 4-bit min (scales 0..<16, d @80, dmin @82)

    private static func q2Reference(_ x: UnsafePointer<Float>, _ block: UnsafeMutableRawPointer, _ levels: UnsafeMutablePointer<UInt8>) {
        var scales = [Float](repeating: 0, count: 16), mins = [Float](repeating: 0, count: 16)
        var weights = [Float](repeating: 0, count: 16), aux = [UInt8](repeating: 0, count: 16)
        var maxScale: Float = 0, maxMin: Float = 0
        for j in 0..<16 {
            for l in 0..<16 { weights[l] = abs(x[16 * j + l]) }
            var theMin: Float = 0
            scales[j] = weights.withUnsafeBufferPointer { w in aux.withUnsafeMutableBufferPointer { a in
                Search.affineScale(16, 3, x + 16 * j, weights: w.baseAddress!, levels + 16 * j, theMin: &theMin, a.baseAddress!,
                                   rmin: -0.5, rdelta: 0.1, nstep: 15, useMAD: true, variant3: false)
            }}
            mins[j] = theMin
            if scales[j] > maxScale { maxScale = scales[j] }
            if theMin > maxMin { maxMin = theMin }
        }
        let q4scale: Float = 15
        var packed = [UInt8](repeating: 0, count: 16)
        if maxScale > 0 {
            let iscale = q4scale / maxScale
            for j in 0..<16 { packed[j] = UInt8(truncatingIfNeeded: Rounding.nearestInt(iscale * scales[j])) }
            block.storeHalf(Rounding.half(maxScale / q4scale), 80)
        } else {
            block.storeHalf(Rounding.half(0), 80)
        }
        if maxMin > 0 {
            let iscale = q4scale / maxMin
            for j in 0..<16 { packed[j] |= UInt8(truncatingIfNeeded: Rounding.nearestInt(iscale * mins[j]) << 4) }
            block.storeHalf(Rounding.half(maxMin / q4scale), 82)
        } else {
            block.storeHalf(Rounding.half(0), 82)
        }
        for j in 0..<16 { block.storeBytes(of: packed[j], toByteOffset: j, as: UInt8.self) }
    }

    private static func q2Weighted(_ x: UnsafePointer<Float>, _ qw: UnsafePointer<Float>, _ block: UnsafeMutableRawPointer,
                                   _ levels: UnsafeMutablePointer<UInt8>) {
        var scales = [Float](repeating: 0, count: 16), mins = [Float](repeating: 0, count: 16)
        var sw = [Float](repeating: 0, count: 16), weight = [Float](repeating: 0, count: 16)
        var aux = [UInt8](repeating: 0, count: 16)
        var sumX2: Float = 0
        for j in 0..<superBlock { sumX2 += x[j] * x[j] }
        let sigma2 = sumX2 / Float(superBlock)
        for j in 0..<16 {
            for l in 0..<16 { weight[l] = qw[16 * j + l] * (sigma2 + x[16 * j + l] * x[16 * j + l]).squareRoot() }
            for l in 0..<16 { sw[j] += weight[l] }
            var theMin: Float = 0
            scales[j] = weight.withUnsafeBufferPointer { w in aux.withUnsafeMutableBufferPointer { a in
                Search.affineScale(16, 3, x + 16 * j, weights: w.baseAddress!, levels + 16 * j, theMin: &theMin, a.baseAddress!,
                                   rmin: -0.9, rdelta: 0.05, nstep: 36, useMAD: false, variant3: true)
            }}
            mins[j] = theMin
        }
        var ls = [UInt8](repeating: 0, count: 16), lm = [UInt8](repeating: 0, count: 16)
        let dm = positive(scales, sw, 15, &ls), mm = positive(mins, sw, 15, &lm)
        block.storeHalf(Rounding.half(dm), 80)
        block.storeHalf(Rounding.half(mm), 82)
        for j in 0..<16 { block.storeBytes(of: ls[j] | lm[j] << 4, toByteOffset: j, as: UInt8.self) }
    }

    // MARK: Q3_K — 16 sub-blocks of 16, 6-bit signed scales (hmask 0, qs 32, scales 96..<108, d @108)

    /// Packs sixteen 6-bit values (already biased by +32) into Q3_K's 12 scale bytes.
    private static func packQ3Scales(_ values: [Int32], _ block: UnsafeMutableRawPointer) {
        var s = [UInt8](repeating: 0, count: 12)
        for j in 0..<16 {
            var l = values[j]
            if j < 8 { s[j] = UInt8(truncatingIfNeeded: l & 0xF) } else { s[j - 8] |= UInt8(truncatingIfNeeded: (l & 0xF) << 4) }
            l >>= 4
            s[j % 4 + 8] |= UInt8(truncatingIfNeeded: l << (2 * (j / 4)))
        }
        for i in 0..<12 { block.storeBytes(of: s[i], toByteOffset: 96 + i, as: UInt8.self) }
    }

    private static func q3Reference(_ x: UnsafePointer<Float>, _ block: UnsafeMutableRawPointer, _ levels: UnsafeMutablePointer<UInt8>) {
        var scales = [Float](repeating: 0, count: 16)
        var signed = [Int8](repeating: 0, count: superBlock)
        var maxScale: Float = 0, amax: Float = 0
        signed.withUnsafeMutableBufferPointer { l in
            for j in 0..<16 {
                scales[j] = Search.q3Scale(16, 4, x + 16 * j, l.baseAddress! + 16 * j, rmse: true)
                let s = abs(scales[j])
                if s > amax { amax = s; maxScale = scales[j] }
            }
        }
        for i in 0..<superBlock { levels[i] = UInt8(bitPattern: signed[i]) }
        if maxScale != 0 {
            let iscale = -32 / maxScale
            var packed = [Int32](repeating: 0, count: 16)
            for j in 0..<16 {
                let l = Int32(Int8(truncatingIfNeeded: Rounding.nearestInt(iscale * scales[j])))
                packed[j] = Swift.max(-32, Swift.min(31, l)) + 32
            }
            packQ3Scales(packed, block)
            block.storeHalf(Rounding.half(1 / iscale), 108)
        } else {
            for i in 0..<12 { block.storeBytes(of: UInt8(0), toByteOffset: 96 + i, as: UInt8.self) }
            block.storeHalf(Rounding.half(0), 108)
        }
    }

    private static func q3Weighted(_ x: UnsafePointer<Float>, _ qw: UnsafePointer<Float>?, _ block: UnsafeMutableRawPointer,
                                   _ levels: UnsafeMutablePointer<UInt8>) {
        var scales = [Float](repeating: 0, count: 16), sw = [Float](repeating: 0, count: 16)
        var weight = [Float](repeating: 0, count: 16)
        var signed = [Int8](repeating: 0, count: superBlock)
        var sumX2: Float = 0
        for j in 0..<superBlock { sumX2 += x[j] * x[j] }
        let sigma2 = 2 * sumX2 / Float(superBlock)
        signed.withUnsafeMutableBufferPointer { l in
            for j in 0..<16 {
                if let qw {
                    for i in 0..<16 { weight[i] = qw[16 * j + i] * (sigma2 + x[16 * j + i] * x[16 * j + i]).squareRoot() }
                } else {
                    for i in 0..<16 { weight[i] = x[16 * j + i] * x[16 * j + i] }
                }
                var sumW: Float = 0
                for i in 0..<16 { sumW += weight[i] }
                sw[j] = sumW
                scales[j] = weight.withUnsafeBufferPointer {
                    Search.symmetricScale(16, 4, x + 16 * j, l.baseAddress! + 16 * j, rmseType: 1, weights: $0.baseAddress!)
                }
            }
        }
        for i in 0..<superBlock { levels[i] = UInt8(bitPattern: signed[i]) }
        var ls = [Int8](repeating: 0, count: 16)
        let dBlock = scales.withUnsafeBufferPointer { s in sw.withUnsafeBufferPointer { w in ls.withUnsafeMutableBufferPointer { l in
            Search.symmetricScale(16, 32, s.baseAddress!, l.baseAddress!, rmseType: 1, weights: w.baseAddress!)
        }}}
        packQ3Scales(ls.map { Int32($0) }, block)
        block.storeHalf(Rounding.half(dBlock), 108)
    }

    // MARK: Q4_K / Q5_K — 8 sub-blocks of 32, 6-bit scale and min (d @0, dmin @2, scales 4..<16)

    /// Packs eight 6-bit scales and mins into the 12 bytes at offset 4 (get_scale_min_k4's inverse).
    private static func packScaleMins(_ ls: [UInt8], _ lm: [UInt8], _ block: UnsafeMutableRawPointer) {
        var s = [UInt8](repeating: 0, count: 12)
        for j in 0..<8 {
            if j < 4 {
                s[j] = ls[j]; s[j + 4] = lm[j]
            } else {
                s[j + 4] = (ls[j] & 0xF) | (lm[j] & 0xF) << 4
                s[j - 4] |= (ls[j] >> 4) << 6
                s[j] |= (lm[j] >> 4) << 6
            }
        }
        for i in 0..<12 { block.storeBytes(of: s[i], toByteOffset: 4 + i, as: UInt8.self) }
    }

    private static func q45Reference(_ type: GGMLBlockGrid, _ x: UnsafePointer<Float>, _ block: UnsafeMutableRawPointer,
                                     _ levels: UnsafeMutablePointer<UInt8>) {
        let nmax = type == .q4_k ? 15 : 31
        let rmin: Float = type == .q4_k ? -1 : -0.5, nstep = type == .q4_k ? 20 : 15
        var scales = [Float](repeating: 0, count: 8), mins = [Float](repeating: 0, count: 8)
        var weights = [Float](repeating: 0, count: 32), aux = [UInt8](repeating: 0, count: 32)
        var maxScale: Float = 0, maxMin: Float = 0
        for j in 0..<8 {
            var sumX2: Float = 0
            for l in 0..<32 { sumX2 += x[32 * j + l] * x[32 * j + l] }
            let avX = (sumX2 / 32).squareRoot()
            for l in 0..<32 { weights[l] = avX + abs(x[32 * j + l]) }
            var theMin: Float = 0
            scales[j] = weights.withUnsafeBufferPointer { w in aux.withUnsafeMutableBufferPointer { a in
                Search.affineScale(32, nmax, x + 32 * j, weights: w.baseAddress!, levels + 32 * j, theMin: &theMin, a.baseAddress!,
                                   rmin: rmin, rdelta: 0.1, nstep: nstep, useMAD: false, variant3: false)
            }}
            mins[j] = theMin
            if scales[j] > maxScale { maxScale = scales[j] }
            if theMin > maxMin { maxMin = theMin }
        }
        let invScale: Float = maxScale > 0 ? 63 / maxScale : 0
        let invMin: Float = maxMin > 0 ? 63 / maxMin : 0
        var ls = [UInt8](repeating: 0, count: 8), lm = [UInt8](repeating: 0, count: 8)
        for j in 0..<8 {
            ls[j] = Swift.min(63, UInt8(truncatingIfNeeded: Rounding.nearestInt(invScale * scales[j])))
            lm[j] = Swift.min(63, UInt8(truncatingIfNeeded: Rounding.nearestInt(invMin * mins[j])))
        }
        packScaleMins(ls, lm, block)
        block.storeHalf(Rounding.half(maxScale / 63), 0)
        block.storeHalf(Rounding.half(maxMin / 63), 2)
    }

    private static func q45Weighted(_ type: GGMLBlockGrid, _ x: UnsafePointer<Float>, _ qw: UnsafePointer<Float>?,
                                    _ block: UnsafeMutableRawPointer, _ levels: UnsafeMutablePointer<UInt8>) {
        let nmax = type == .q4_k ? 15 : 31
        var scales = [Float](repeating: 0, count: 8), mins = [Float](repeating: 0, count: 8), sw = [Float](repeating: 0, count: 8)
        var weights = [Float](repeating: 0, count: 32), aux = [UInt8](repeating: 0, count: 32)
        var sumX2: Float = 0
        for l in 0..<superBlock { sumX2 += x[l] * x[l] }
        let sigma2 = 2 * sumX2 / Float(superBlock)
        let avX = sigma2.squareRoot()
        for j in 0..<8 {
            if let qw {
                for l in 0..<32 { weights[l] = qw[32 * j + l] * (sigma2 + x[32 * j + l] * x[32 * j + l]).squareRoot() }
            } else {
                for l in 0..<32 { weights[l] = avX + abs(x[32 * j + l]) }
            }
            var sumW: Float = 0
            for l in 0..<32 { sumW += weights[l] }
            sw[j] = sumW
            var theMin: Float = 0
            scales[j] = weights.withUnsafeBufferPointer { w in aux.withUnsafeMutableBufferPointer { a in
                Search.affineScale(32, nmax, x + 32 * j, weights: w.baseAddress!, levels + 32 * j, theMin: &theMin, a.baseAddress!,
                                   rmin: -0.9, rdelta: 0.05, nstep: 36, useMAD: false, variant3: true)
            }}
            mins[j] = theMin
        }
        var ls = [UInt8](repeating: 0, count: 8), lm = [UInt8](repeating: 0, count: 8)
        let dBlock = positive(scales, sw, 63, &ls), mBlock = positive(mins, sw, 63, &lm)
        packScaleMins(ls.map { Swift.min(63, $0) }, lm.map { Swift.min(63, $0) }, block)
        block.storeHalf(Rounding.half(dBlock), 0)
        block.storeHalf(Rounding.half(mBlock), 2)
    }

    // MARK: Q6_K — 16 sub-blocks of 16, 8-bit signed scales (ql 0, qh 128, scales 192..<208, d @208)

    private static func q6(_ x: UnsafePointer<Float>, _ qw: UnsafePointer<Float>?, _ block: UnsafeMutableRawPointer,
                           _ levels: UnsafeMutablePointer<UInt8>) {
        var scales = [Float](repeating: 0, count: 16)
        var signed = [Int8](repeating: 0, count: superBlock)
        var maxScale: Float = 0, maxAbs: Float = 0
        signed.withUnsafeMutableBufferPointer { l in
            for j in 0..<16 {
                let s = Search.symmetricScale(16, 32, x + 16 * j, l.baseAddress! + 16 * j, rmseType: 1, weights: qw.map { $0 + 16 * j })
                scales[j] = s
                if abs(s) > maxAbs { maxAbs = abs(s); maxScale = s }
            }
        }
        for i in 0..<superBlock { levels[i] = UInt8(bitPattern: signed[i]) }
        if maxAbs < Rounding.groupMaxEpsilon {
            // ggml zeroes the whole block (its codes then decode to 0)
            block.initializeMemory(as: UInt8.self, repeating: 0, count: GGMLBlockGrid.q6_k.blockBytes)
            for i in 0..<superBlock { levels[i] = 0 }
            return
        }
        let iscale = -128 / maxScale
        block.storeHalf(Rounding.half(1 / iscale), 208)
        for j in 0..<16 {
            let s = Swift.min(127, Rounding.nearestInt(iscale * scales[j]))
            block.storeBytes(of: Int8(truncatingIfNeeded: s), toByteOffset: 192 + j, as: Int8.self)
        }
    }

    /// make_qp_quants over a super-block's sub-block scales or mins.
    private static func positive(_ values: [Float], _ weights: [Float], _ nmax: Int, _ levels: inout [UInt8]) -> Float {
        values.withUnsafeBufferPointer { v in weights.withUnsafeBufferPointer { w in levels.withUnsafeMutableBufferPointer { l in
            Search.positiveScale(v.count, nmax, v.baseAddress!, l.baseAddress!, weights: w.baseAddress!)
        }}}
    }
}
