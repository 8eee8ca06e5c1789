import Foundation
import TensorCore

/// The LM head of every family: logits (rows, vocab) = x (rows, d) · Wᵀ, handed out in chunks of
/// at most `chunkRows` rows (bounds memory to chunkRows × vocab floats), each chunk passed through
/// `transform` (e.g. Gemma's final soft-capping) before it is handed out.
public final class LogitHead: @unchecked Sendable {
    /// Changes a chunk of logits in place: (values, count).
    public typealias Transform = @Sendable (_ values: UnsafeMutablePointer<Float>, _ count: Int) -> Void

    /// Rows per chunk unless a model asks for fewer.
    public static let defaultChunkRows = 128

    /// (vocab, d), held once (see `WeightMatrix`); the token embedding's own when the head is tied.
    public let table: WeightMatrix
    /// Rows of logits computed per call of the body.
    public let chunkRows: Int
    /// Applied to each chunk in place before the body sees it; nil: raw logits.
    public let transform: Transform?
    /// Applied to (a copy of) each chunk's input rows before the product, as `Linear.inputTransform`
    /// (e.g. llama.cpp's activation rounding: `LlamaCppArithmetic`); nil: x as given.
    public var inputTransform: Linear.InputTransform?

    /// A head over `table` (vocab, d): a tied head is handed the embedding's table.
    public init(table: WeightMatrix, chunkRows: Int = LogitHead.defaultChunkRows, transform: Transform? = nil) {
        precondition(chunkRows > 0, "chunkRows must be positive")
        self.table = table
        self.chunkRows = chunkRows
        self.transform = transform
    }

    /// A head over a weight of its own (vocab, d), named `name` (packed at once).
    public convenience init(name: String, weight: Tensor, chunkRows: Int = LogitHead.defaultChunkRows,
                            transform: Transform? = nil) {
        self.init(table: .tokenTable(name: name, weight), chunkRows: chunkRows, transform: transform)
    }

    /// A head over a loaded weight of its own (kept compressed when the loader kept it so).
    public convenience init(name: String, weight: LinearWeight, chunkRows: Int = LogitHead.defaultChunkRows,
                            transform: Transform? = nil) {
        self.init(table: .tokenTable(name: name, weight), chunkRows: chunkRows, transform: transform)
    }

    /// (vocab, d), row-major (unpacked on demand: see `WeightMatrix.tensor`).
    public var weight: Tensor { table.tensor }

    /// After the table's values changed in place (quantization).
    public func weightChanged() { table.invalidatePacked() }

    /// Logits of x (n, d), chunk after chunk: `body(firstRow, rows, values)` with values (rows, vocab),
    /// valid only during the call. Under `LogitRows.withScored` only the wanted rows' chunks.
    public func logits(_ x: UnsafePointer<Float>, rows n: Int,
                       _ body: (_ firstRow: Int, _ rows: Int, _ values: UnsafePointer<Float>) -> Void) {
        let d = table.columns, vocab = table.rows
        // Only the rows someone scores (LogitRows), when the caller said which.
        let parts = LogitRows.parts(of: n)
        let largest = parts.map(\.count).max() ?? 0
        guard largest > 0 else { return }
        let chunk = FloatBuffer(count: min(largest, chunkRows) * vocab, zeroed: false)
        let input = inputTransform.map { _ in FloatBuffer(count: min(largest, chunkRows) * d, zeroed: false) }
        let w = table.prepared()
        for part in parts {
            var row = part.lowerBound
            while row < part.upperBound {
                let rows = min(chunkRows, part.upperBound - row)
                var rowsIn = x + row * d
                if let inputTransform, let input {
                    input.pointer.update(from: rowsIn, count: rows * d)
                    inputTransform(input.pointer, rows, d)
                    rowsIn = UnsafePointer(input.pointer)
                }
                // logits (rows, vocab) = x (rows, d) · Wᵀ
                BLAS.linear(rowsIn, rows: rows, packed: w, out: chunk.pointer)
                transform?(chunk.pointer, rows * vocab)
                body(row, rows, chunk.pointer)
                row += rows
            }
        }
        withExtendedLifetime(input) {}
    }

    /// Soft-capping: v ← cap · tanh(v / cap), elementwise (Gemma's `final_logit_softcapping`).
    public static func softCapping(_ cap: Float) -> Transform {
        { v, count in
            // v (count) ← cap · tanh(v / cap)
            Parallel.forRanges(count, minimumChunk: 1 << 16) { range in
                for i in range { v[i] = cap * Foundation.tanh(v[i] / cap) }
            }
        }
    }
}
