import ModelFormats
import Quantization

/// Builds ggml blocks from our integer codes (never re-quantizing from floats), so llama.cpp
/// decodes the values we computed with. Block layouts (little-endian, f16 = IEEE half):
///
///     Q4_0 (18 B): d f16 | 16 B nibbles          x_j = d·(q_j − 8)
///     Q4_1 (20 B): d f16 | m f16 | 16 B nibbles  x_j = d·q_j + m
///     Q5_0 (22 B): d f16 | qh u32 | 16 B nibbles x_j = d·(q_j − 16)
///     Q5_1 (24 B): d f16 | m f16 | qh u32 | 16 B x_j = d·q_j + m
///     Q8_0 (34 B): d f16 | 32 × i8               x_j = d·q_j
///
/// Nibble byte j holds element j (low 4 bits) and element j + 16 (high 4 bits); bit j of qh is
/// bit 4 of element j. Our code q and scale s map as d = s, m = −s·z rounded to f16, and for Q8_0
/// the signed code q − 128.
public enum GGUFBlockEncoder {
    /// Encodes the (rows × columns) codes of a group-32 layer as `type`. `rowOrder[i]` is the row
    /// of `codes` stored as row i (llama.cpp's Q/K permutation), identity when nil.
    public static func encode(_ codes: QuantizedCodes, as type: GGMLType, rowOrder: [Int]? = nil) throws(ExportError) -> [UInt8] {
        guard try GGUFBlockType.type(for: codes.scheme) == type else {
            throw ExportError("codes of \(QuantSpec(weight: codes.scheme)) cannot be stored as \(type.name)")
        }
        if let grid = codes.scheme.blockGrid {
            guard let blocks = codes.blocks else { throw ExportError("\(grid.name) codes carry no blocks") }
            return reorderRows(blocks, rows: codes.rows, rowBytes: codes.columns / grid.blockSize * grid.blockBytes, rowOrder: rowOrder)
        }
        guard codes.columns % 32 == 0 else {
            throw ExportError("\(codes.columns) input columns is not a multiple of the 32-column ggml block")
        }
        if let g = codes.groupIndex, g.indices.contains(where: { Int(g[$0]) != $0 / 32 }) {
            throw ExportError("act-order groups (a permuted g_idx) do not fit ggml blocks of consecutive columns; "
                              + "write a Hugging Face GPTQ directory instead, or quantize without --act-order")
        }
        let rows = codes.rows, blocksPerRow = codes.columns / 32, size = type.typeSize
        var out = [UInt8](repeating: 0, count: rows * blocksPerRow * size)
        var badOffset: Float? = nil
        out.withUnsafeMutableBytes { raw in
            codes.codes.withUnsafeBufferPointer { all in
                let base = raw.baseAddress!, q = all.baseAddress!
                for stored in 0..<rows {
                    let r = rowOrder?[stored] ?? stored
                    for b in 0..<blocksPerRow {
                        let g = r * blocksPerRow + b
                        let s = codes.scales[g], m = -s * codes.zeros[g]
                        if !Float16(m).isFinite { badOffset = m }
                        write(type, q: q + r * codes.columns + b * 32, d: s, m: m,
                              into: base + (stored * blocksPerRow + b) * size)
                    }
                }
            }
        }
        if let badOffset { throw ExportError("block offset \(badOffset) overflows f16") }
        return out
    }

    /// Whole stored rows in `rowOrder` (identity when nil).
    static func reorderRows(_ bytes: [UInt8], rows: Int, rowBytes: Int, rowOrder: [Int]?) -> [UInt8] {
        guard let rowOrder else { return bytes }
        return bytes.withUnsafeBytes { GGUFRowOrder.reordered($0, rowBytes: rowBytes, order: rowOrder) }
    }

    private static func write(_ type: GGMLType, q: UnsafePointer<UInt8>, d: Float, m: Float, into block: UnsafeMutableRawPointer) {
        func half(_ v: Float, _ offset: Int) {
            block.storeBytes(of: Float16(v).bitPattern.littleEndian, toByteOffset: offset, as: UInt16.self)
        }
        func nibbles(_ offset: Int) {
            for j in 0..<16 { block.storeBytes(of: (q[j] & 0x0F) | (q[j + 16] & 0x0F) << 4, toByteOffset: offset + j, as: UInt8.self) }
        }
        func highBits(_ offset: Int) {
            var qh: UInt32 = 0
            for j in 0..<32 { qh |= UInt32(q[j] >> 4 & 1) << UInt32(j) }
            block.storeBytes(of: qh.littleEndian, toByteOffset: offset, as: UInt32.self)
        }
        half(d, 0)
        switch type {
        case .q4_0: nibbles(2)
        case .q4_1: half(m, 2); nibbles(4)
        case .q5_0: highBits(2); nibbles(6)
        case .q5_1: half(m, 2); highBits(4); nibbles(8)
        case .q8_0: for j in 0..<32 { block.storeBytes(of: Int8(Int(q[j]) - 128), toByteOffset: 2 + j, as: Int8.self) }
        default: preconditionFailure("GGUFBlockType.type only returns legacy block types")
        }
    }

    /// llama.cpp's Q/K row order for a (heads·hd)-row projection: stored row h·hd + 2j + s holds
    /// HF row h·hd + s·hd/2 + j (the inverse of `GGUFLlamaWeights.unpermute`).
    public static func llamaCppPermutation(rows: Int, heads: Int) -> [Int] {
        let hd = rows / heads, half = hd / 2
        var order = [Int](repeating: 0, count: rows)
        for h in 0..<heads { for j in 0..<half { for s in 0..<2 {
            order[h * hd + 2 * j + s] = h * hd + s * half + j
        }}}
        return order
    }
}
