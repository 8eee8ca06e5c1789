import Foundation
import KernelCore

/// A weight matrix W (rows × columns) held in a compact exact form — the checkpoint's own GGUF
/// blocks or f16/bf16, or a lossless palette of a quantized result (`PaletteEncoding`) — instead
/// of f32: what memory-lean execution keeps resident. The GEMM widens it piece by piece
/// (`DecodingGEMM`); `decoded()` gives the f32 matrix back, bit for bit what the f32 loader gives.
public final class CompressedMatrix: @unchecked Sendable {
    public let rows: Int
    public let columns: Int
    public let layout: CompressedRows.Layout
    public let rowBytes: Int
    private let storage: UnsafeMutableRawPointer

    /// Takes ownership of `storage` (rows · rowBytes bytes, allocated with `allocate(byteCount:alignment: 64)`).
    init(rows: Int, columns: Int, layout: CompressedRows.Layout, owning storage: UnsafeMutableRawPointer) {
        self.rows = rows
        self.columns = columns
        self.layout = layout
        self.rowBytes = CompressedRows.rowBytes(layout, columns: columns)
        self.storage = storage
    }

    /// A copy of `bytes` (rows · rowBytes, row after row) in `layout`; nil when the layout cannot
    /// hold rows of `columns` (not a whole number of blocks) or the byte count is wrong.
    public convenience init?(rows: Int, columns: Int, layout: CompressedRows.Layout, copying bytes: UnsafeRawBufferPointer) {
        guard rows > 0, columns > 0, Self.fits(layout, columns: columns),
              bytes.count == rows * CompressedRows.rowBytes(layout, columns: columns) else { return nil }
        let storage = UnsafeMutableRawPointer.allocate(byteCount: bytes.count, alignment: 64)
        storage.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        self.init(rows: rows, columns: columns, layout: layout, owning: storage)
    }

    deinit { storage.deallocate() }

    /// Whether rows of `columns` are whole units of `layout`.
    public static func fits(_ layout: CompressedRows.Layout, columns: Int) -> Bool {
        switch layout {
        case .blocks(let format): columns % format.blockSize == 0
        case .palette4(let span): span % 2 == 0 && columns % span == 0
        case .palette8(let span): columns % span == 0
        }
    }

    /// Bytes held.
    public var byteCount: Int { rows * rowBytes }

    /// The view the kernels read.
    public var view: CompressedRows { CompressedRows(layout: layout, base: UnsafeRawPointer(storage), rowBytes: rowBytes) }

    /// dst (range.count × columns) = rows `range` of W, exactly.
    public func decodeRows(_ range: Range<Int>, into dst: UnsafeMutablePointer<Float>) {
        withExtendedLifetime(self) { VectorKernels.active.decodeRows(view, range, columns, dst) }
    }

    /// W in f32, row-major (both cores).
    public func decoded() -> Tensor {
        let out = Tensor(zeros: [rows, columns])
        let dst = UncheckedSendable(out.pointer)
        Parallel.forRanges(rows, minimumChunk: 64) { range in
            self.decodeRows(range, into: dst.value + range.lowerBound * self.columns)
        }
        return out
    }

    /// The matrix with its rows reordered: row i of the result is row `order[i]` of this one (an
    /// exact byte copy: rows are whole units). `order` is a permutation of 0 ..< rows.
    public func reorderingRows(_ order: [Int]) -> CompressedMatrix {
        precondition(order.count == rows, "a row order names every row")
        let storage = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
        for (i, r) in order.enumerated() {
            (storage + i * rowBytes).copyMemory(from: self.storage + r * rowBytes, byteCount: rowBytes)
        }
        return CompressedMatrix(rows: rows, columns: columns, layout: layout, owning: storage)
    }

    /// The flat index of the first non-finite value (decoding in slices), or nil.
    public func firstNonFinite() -> Int? {
        let slice = max(1, (1 << 18) / columns)
        let buffer = FloatBuffer(count: slice * columns, zeroed: false)
        var r = 0
        while r < rows {
            let range = r..<min(rows, r + slice)
            decodeRows(range, into: buffer.pointer)
            for i in 0..<(range.count * columns) where !buffer.pointer[i].isFinite { return r * columns + i }
            r = range.upperBound
        }
        return nil
    }
}
