/// Where and how the rows of a weight matrix W (n×k) are stored when it stays resident in a compact
/// form (memory-lean execution): GGUF blocks or f16/bf16 as the checkpoint stored them, or a
/// lossless palette of a quantized result. The decoding GEMM (`DecodingGEMM`) widens pieces of
/// rows to f32 as it packs them; every decode is exact, so results equal the f32-resident path's.
///
/// Row r starts at `base + r · rowBytes`.
/// - `.blocks(format)`: ggml blocks along the row (k a multiple of the block size).
/// - `.palette4(span)`: per span of `span` columns, 16 f32 values, then span/2 bytes of 4-bit
///   indices (low nibble = even column): a span of a quantized weight takes ≤ 16 distinct values
///   (W4 or narrower with groups that are spans, or coarser).
/// - `.palette8(span)`: per span, 256 f32 values, then `span` bytes of 8-bit indices.
public struct CompressedRows: @unchecked Sendable {
    public enum Layout: Sendable, Equatable {
        case blocks(BlockFormat)
        case palette4(span: Int)
        case palette8(span: Int)
    }

    public let layout: Layout
    public let base: UnsafeRawPointer
    public let rowBytes: Int

    public init(layout: Layout, base: UnsafeRawPointer, rowBytes: Int) {
        self.layout = layout
        self.base = base
        self.rowBytes = rowBytes
    }

    /// Columns a decoded piece must start at a multiple of (and, but for the row's end, span).
    @inlinable
    public var unit: Int {
        switch layout {
        case .blocks(let format): format.blockSize
        case .palette4: 2
        case .palette8: 1
        }
    }

    /// Bytes of one row of k columns.
    public static func rowBytes(_ layout: Layout, columns k: Int) -> Int {
        switch layout {
        case .blocks(let format): k / format.blockSize * format.blockBytes
        case .palette4(let span): k / span * (16 * 4 + span / 2)
        case .palette8(let span): k / span * (256 * 4 + span)
        }
    }

    /// dst (count) = W[r, k0 ..< k0 + count], exactly (k0 a multiple of `unit`; count too, unless
    /// the piece ends the row).
    @inlinable @inline(__always)
    public func decode<I: VectorISA>(_ isa: I.Type, row r: Int, from k0: Int, count: Int, into dst: UnsafeMutablePointer<Float>) {
        let row = base + r * rowBytes
        switch layout {
        case .blocks(let format):
            BlockFormat.dequantize(isa, format, row + k0 / format.blockSize * format.blockBytes, dst, count)
        case .palette4(let span):
            let spanBytes = 16 * 4 + span / 2
            Self.pieces(from: k0, count: count, span: span) { s, offset, piece, done in
                let palette = (row + s * spanBytes).assumingMemoryBound(to: Float.self)
                let codes = (row + s * spanBytes + 16 * 4).assumingMemoryBound(to: UInt8.self) + offset / 2
                let out = dst + done
                var i = 0
                while i + 1 < piece {
                    let byte = codes[i >> 1]
                    out[i] = palette[Int(byte & 15)]
                    out[i + 1] = palette[Int(byte >> 4)]
                    i += 2
                }
                if i < piece { out[i] = palette[Int(codes[i >> 1] & 15)] }
            }
        case .palette8(let span):
            let spanBytes = 256 * 4 + span
            Self.pieces(from: k0, count: count, span: span) { s, offset, piece, done in
                let palette = (row + s * spanBytes).assumingMemoryBound(to: Float.self)
                let codes = (row + s * spanBytes + 256 * 4).assumingMemoryBound(to: UInt8.self) + offset
                let out = dst + done
                for i in 0..<piece { out[i] = palette[Int(codes[i])] }
            }
        }
    }

    /// Walks columns k0 ..< k0 + count span by span: body(span index, offset in it, columns, columns done before).
    @inlinable @inline(__always)
    static func pieces(from k0: Int, count: Int, span: Int, _ body: (Int, Int, Int, Int) -> Void) {
        var done = 0
        while done < count {
            let column = k0 + done
            let s = column / span, offset = column - s * span
            let piece = Swift.min(count - done, span - offset)
            body(s, offset, piece, done)
            done += piece
        }
    }
}
