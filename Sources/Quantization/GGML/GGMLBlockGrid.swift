import KernelCore
import TensorCore

/// The grid of one ggml block type, as llama.cpp stores and decodes it: which values a weight can
/// take given its block's stored header (f16 scales, quantized sub-block scales and mins), ggml's
/// own search for that header (`llama-quantize`, with or without an importance matrix), and the
/// packing of codes. A method that knows better codes (GPTQ) asks the grid for a block's header
/// once, at the block's first column, then picks each code on exactly the values the file stores.
///
/// | type | block | sub-blocks | value of level q in sub-block j        | bits/weight |
/// |------|-------|------------|----------------------------------------|-------------|
/// | Q4_0 | 32    | 1 × 32     | d·(q − 8)                              | 4.5         |
/// | Q4_1 | 32    | 1 × 32     | d·q + m                                | 5           |
/// | Q5_0 | 32    | 1 × 32     | d·(q − 16)                             | 5.5         |
/// | Q5_1 | 32    | 1 × 32     | d·q + m                                | 6           |
/// | Q8_0 | 32    | 1 × 32     | d·(q − 128)  (stored signed)           | 8.5         |
/// | Q2_K | 256   | 16 × 16    | (d·sc_j)·q − dmin·m_j, 4-bit sc/m      | 2.625       |
/// | Q3_K | 256   | 16 × 16    | (d·(sc_j − 32))·(q − 4), 6-bit sc      | 3.4375      |
/// | Q4_K | 256   | 8 × 32     | (d·sc_j)·q − dmin·m_j, 6-bit sc/m      | 4.5         |
/// | Q5_K | 256   | 8 × 32     | (d·sc_j)·q − dmin·m_j, 6-bit sc/m      | 5.5         |
/// | Q6_K | 256   | 16 × 16    | (d·sc_j)·(q − 32), 8-bit signed sc     | 6.5625      |
public enum GGMLBlockGrid: String, Sendable, CaseIterable, Hashable {
    case q4_0, q4_1, q5_0, q5_1, q8_0, q2_k, q3_k, q4_k, q5_k, q6_k

    /// The ggml type name (Q4_K, …).
    public var name: String { rawValue.uppercased() }

    /// ggml's `enum ggml_type` value.
    public var ggmlTypeID: UInt32 {
        switch self {
        case .q4_0: 2
        case .q4_1: 3
        case .q5_0: 6
        case .q5_1: 7
        case .q8_0: 8
        case .q2_k: 10
        case .q3_k: 11
        case .q4_k: 12
        case .q5_k: 13
        case .q6_k: 14
        }
    }

    /// The KernelCore block format that decodes it.
    public var format: BlockFormat { BlockFormat(rawValue: rawValue)! }
    /// Weights per block (32, or a 256-weight super-block).
    public var blockSize: Int { format.blockSize }
    /// Bytes per block.
    public var blockBytes: Int { format.blockBytes }
    /// Stored bits per weight, headers included.
    public var bitsPerWeight: Double { Double(blockBytes * 8) / Double(blockSize) }
    /// Weights sharing one decoded scale.
    public var subBlockSize: Int { [.q2_k, .q3_k, .q6_k].contains(self) ? 16 : 32 }
    public var isKQuant: Bool { blockSize == KQuantScaleFit.superBlock }
    /// Largest level (codes are 0…maxLevel).
    public var maxLevel: Int {
        switch self {
        case .q4_0, .q4_1, .q4_k: 15
        case .q5_0, .q5_1, .q5_k: 31
        case .q8_0: 255
        case .q2_k: 3
        case .q3_k: 7
        case .q6_k: 63
        }
    }
    /// The bits a code takes (for reports).
    public var codeBits: Int { maxLevel.bitWidth - maxLevel.leadingZeroBitCount }

    /// Parses a type name (q4_k, Q4_K, q4_K_m is not a type but a llama.cpp mix).
    public init?(name: String) {
        self.init(rawValue: name.lowercased())
    }

    /// The type llama-quantize uses for a tensor of `columns` input columns when this one does
    /// not fit (`tensor_type_fallback`: a K-quant on rows that are not whole 256-weight
    /// super-blocks becomes Q2_K/Q3_K → Q4_0, Q4_K → Q5_0, Q5_K → Q5_1, Q6_K → Q8_0); nil when
    /// not even the fallback's 32-weight blocks fit (llama.cpp then keeps F16).
    public func fitting(columns: Int) -> GGMLBlockGrid? {
        if columns % blockSize == 0 { return self }
        let fallback: GGMLBlockGrid
        switch self {
        case .q2_k, .q3_k: fallback = .q4_0
        case .q4_k: fallback = .q5_0
        case .q5_k: fallback = .q5_1
        case .q6_k: fallback = .q8_0
        default: return nil
        }
        return columns % fallback.blockSize == 0 ? fallback : nil
    }

    // MARK: ggml's quantizer

    /// What `ggml_quantize_chunk` (llama-quantize) writes for one row of `n` weights (a multiple
    /// of `blockSize`), with the importance matrix row `importance` (n values) or without.
    public func quantizeRow(_ x: UnsafePointer<Float>, _ n: Int, importance: UnsafePointer<Float>?, into out: UnsafeMutableRawPointer) {
        precondition(n % blockSize == 0, "\(n) weights is not a whole number of \(name) blocks")
        guard isKQuant else {
            LegacyBlockQuantizer.quantizeRow(self, x, n, importance: importance, into: out)
            return
        }
        var levels = [UInt8](repeating: 0, count: blockSize)
        levels.withUnsafeMutableBufferPointer { l in
            let levels = l.baseAddress!
            for b in 0..<n / blockSize {
                let xb = x + b * blockSize, block = out + b * blockBytes
                KQuantScaleFit.fit(self, xb, importance: importance.map { $0 + b * blockSize }, header: block, levels: levels)
                let grid = SubBlocks(self, header: UnsafeRawPointer(block))
                for i in 0..<blockSize where grid.scale(of: i) != 0 {
                    levels[i] = grid.code(xb[i], at: i)
                }
                pack(levels, into: block)
            }
        }
    }

    /// `rows` rows of `columns` weights (row-major) quantized as llama-quantize does; rows run in parallel.
    public func quantize(_ weights: UnsafePointer<Float>, rows: Int, columns: Int, importance: UnsafePointer<Float>?) -> [UInt8] {
        let rowBytes = columns / blockSize * blockBytes
        var out = [UInt8](repeating: 0, count: rows * rowBytes)
        out.withUnsafeMutableBytes { raw in
            let base = SendableRaw(raw.baseAddress!), source = SendablePointer(weights), weightsRow = importance.map(SendablePointer.init)
            Parallel.forRanges(rows, minimumChunk: 4) { range in
                for r in range {
                    self.quantizeRow(source.pointer + r * columns, columns, importance: weightsRow?.pointer, into: base.pointer + r * rowBytes)
                }
            }
        }
        return out
    }

    /// Decodes `count` weights of whole blocks (the SIMD decoder llama.cpp's values come from).
    public func decode(_ blocks: UnsafeRawPointer, _ count: Int, into out: UnsafeMutablePointer<Float>) {
        VectorKernels.active.dequantize(format, blocks, out, count)
    }

    // MARK: codes on the stored grid

    /// Writes a block's header by ggml's search from `x` (the block's current weights) and
    /// `importance` (per-weight importance, or nil), and returns the grid it stores.
    public func fitHeader(_ x: UnsafePointer<Float>, importance: UnsafePointer<Float>?, into block: UnsafeMutableRawPointer) -> SubBlocks {
        if isKQuant {
            var levels = [UInt8](repeating: 0, count: blockSize)
            levels.withUnsafeMutableBufferPointer { KQuantScaleFit.fit(self, x, importance: importance, header: block, levels: $0.baseAddress!) }
        } else {
            LegacyBlockQuantizer.fitHeader(self, x, importance: importance, into: block)
        }
        return SubBlocks(self, header: UnsafeRawPointer(block))
    }

    /// Stores the levels (0…maxLevel) of one block after its header.
    public func pack(_ levels: UnsafePointer<UInt8>, into block: UnsafeMutableRawPointer) {
        switch self {
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0:
            LegacyBlockQuantizer.pack(self, Array(UnsafeBufferPointer(start: levels, count: 32)), block)
        case .q2_k:
            for j in stride(from: 0, to: 256, by: 128) {
                for l in 0..<32 {
                    let byte = levels[j + l] | levels[j + l + 32] << 2 | levels[j + l + 64] << 4 | levels[j + l + 96] << 6
                    block.storeBytes(of: byte, toByteOffset: 16 + j / 4 + l, as: UInt8.self)
                }
            }
        case .q3_k:
            var hmask = [UInt8](repeating: 0, count: 32), low = [UInt8](repeating: 0, count: 256)
            for j in 0..<256 {
                var l = levels[j]
                if l > 3 { hmask[j % 32] |= 1 << UInt8(j / 32); l -= 4 }
                low[j] = l
            }
            for i in 0..<32 { block.storeBytes(of: hmask[i], toByteOffset: i, as: UInt8.self) }
            for j in stride(from: 0, to: 256, by: 128) {
                for l in 0..<32 {
                    let byte = low[j + l] | low[j + l + 32] << 2 | low[j + l + 64] << 4 | low[j + l + 96] << 6
                    block.storeBytes(of: byte, toByteOffset: 32 + j / 4 + l, as: UInt8.self)
                }
            }
        case .q4_k:
            for j in stride(from: 0, to: 256, by: 64) {
                for l in 0..<32 {
                    block.storeBytes(of: levels[j + l] | levels[j + l + 32] << 4, toByteOffset: 16 + j / 2 + l, as: UInt8.self)
                }
            }
        case .q5_k:
            var qh = [UInt8](repeating: 0, count: 32)
            var m1: UInt8 = 1, m2: UInt8 = 2
            for n in stride(from: 0, to: 256, by: 64) {
                for j in 0..<32 {
                    var l1 = levels[n + j], l2 = levels[n + j + 32]
                    if l1 > 15 { l1 -= 16; qh[j] |= m1 }
                    if l2 > 15 { l2 -= 16; qh[j] |= m2 }
                    block.storeBytes(of: l1 | l2 << 4, toByteOffset: 48 + n / 2 + j, as: UInt8.self)
                }
                m1 <<= 2; m2 <<= 2
            }
            for j in 0..<32 { block.storeBytes(of: qh[j], toByteOffset: 16 + j, as: UInt8.self) }
        case .q6_k:
            for j in stride(from: 0, to: 256, by: 128) {
                let ql = 2 * j / 4, qh = 128 + j / 4
                for l in 0..<32 {
                    let q1 = levels[j + l], q2 = levels[j + l + 32], q3 = levels[j + l + 64], q4 = levels[j + l + 96]
                    block.storeBytes(of: (q1 & 0xF) | (q3 & 0xF) << 4, toByteOffset: ql + l, as: UInt8.self)
                    block.storeBytes(of: (q2 & 0xF) | (q4 & 0xF) << 4, toByteOffset: ql + 32 + l, as: UInt8.self)
                    block.storeBytes(of: q1 >> 4 | (q2 >> 4) << 2 | (q3 >> 4) << 4 | (q4 >> 4) << 6, toByteOffset: qh + l, as: UInt8.self)
                }
            }
        }
    }

    /// The decoded grid of one block: per sub-block the multiplier, the level bias and the offset,
    /// computed with the decoder's own operations, so `value` is what llama.cpp computes.
    public struct SubBlocks: Sendable {
        public let type: GGMLBlockGrid
        /// Per sub-block: value(q) = scales[j]·(q − bias) − offsets[j].
        public private(set) var scales: [Float]
        public private(set) var offsets: [Float]
        public let bias: Int

        init(_ type: GGMLBlockGrid, header block: UnsafeRawPointer) {
            self.type = type
            func half(_ o: Int) -> Float { GGMLRounding.widen(UInt16(littleEndian: block.loadUnaligned(fromByteOffset: o, as: UInt16.self))) }
            func byte(_ o: Int) -> UInt8 { block.load(fromByteOffset: o, as: UInt8.self) }
            switch type {
            case .q4_0, .q5_0, .q8_0:
                scales = [half(0)]; offsets = [0]
                bias = type == .q4_0 ? 8 : type == .q5_0 ? 16 : 128
            case .q4_1, .q5_1:
                scales = [half(0)]; offsets = [-half(2)]; bias = 0
            case .q2_k:
                let d = half(80), dmin = half(82)
                scales = (0..<16).map { d * Float(byte($0) & 0x0F) }
                offsets = (0..<16).map { dmin * Float(byte($0) >> 4) }
                bias = 0
            case .q3_k:
                let d = half(108)
                scales = (0..<16).map { d * Float(KQuantScales.q3Scale(block + 96, $0)) }
                offsets = [Float](repeating: 0, count: 16); bias = 4
            case .q4_k, .q5_k:
                let d = half(0), dmin = half(2)
                let pairs = (0..<8).map { KQuantScales.scaleAndMin(block + 4, $0) }
                scales = pairs.map { d * Float($0.scale) }
                offsets = pairs.map { dmin * Float($0.min) }
                bias = 0
            case .q6_k:
                let d = half(208)
                scales = (0..<16).map { d * Float(block.load(fromByteOffset: 192 + $0, as: Int8.self)) }
                offsets = [Float](repeating: 0, count: 16); bias = 32
            }
        }

        @inline(__always) public func scale(of i: Int) -> Float { scales[i / type.subBlockSize] }

        /// The level of `x` at position `i` of the block: ggml's re-quantization formula,
        /// nearest_int((x + offset) / scale) + bias clamped to the levels (bias when the scale is 0).
        @inline(__always)
        public func code(_ x: Float, at i: Int) -> UInt8 {
            let j = i / type.subBlockSize, s = scales[j]
            guard s != 0 else { return UInt8(bias) }
            let l = GGMLRounding.nearestInt((x + offsets[j]) / s) + Int32(bias)
            return UInt8(Swift.max(0, Swift.min(Int32(type.maxLevel), l)))
        }

        /// The value llama.cpp decodes level `q` at position `i` to.
        @inline(__always)
        public func value(_ q: UInt8, at i: Int) -> Float {
            let j = i / type.subBlockSize
            switch type {
            case .q4_1, .q5_1: return scales[j] * Float(q) - offsets[j]
            case .q2_k, .q4_k, .q5_k: return scales[j] * Float(q) - offsets[j]
            default: return scales[j] * Float(Int(q) - bias)
            }
        }
    }
}

private struct SendableRaw: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    init(_ pointer: UnsafeMutableRawPointer) { self.pointer = pointer }
}

private struct SendablePointer: @unchecked Sendable {
    let pointer: UnsafePointer<Float>
    init(_ pointer: UnsafePointer<Float>) { self.pointer = pointer }
}
