import TensorCore

/// Checks of a batch of token windows shared by every model's `embed`.
public enum TokenWindows {
    /// (windows, tokens per window) after checking that there is at least one token, the windows
    /// have equal lengths within `maxContext`, and every id is in the vocabulary.
    public static func check(_ windows: [[Int32]], maxContext: Int, vocabularySize: Int) throws -> (windows: Int, tokens: Int) {
        guard let t = windows.first?.count, t > 0 else { throw ModelInputError("no tokens to run") }
        guard windows.allSatisfy({ $0.count == t }) else { throw ModelInputError("windows differ in length") }
        guard t <= maxContext else {
            throw ModelInputError("window of \(t) tokens exceeds the model's context of \(maxContext)")
        }
        for window in windows {
            if let id = window.first(where: { $0 < 0 || Int($0) >= vocabularySize }) {
                throw ModelInputError("token id \(id) outside the vocabulary of \(vocabularySize)")
            }
        }
        return (windows.count, t)
    }

    /// x (B·T, d) = rows `tokens` of `table` (vocab, d), window after window.
    public static func gather(_ windows: [[Int32]], from table: Tensor) -> Tensor {
        let d = table.shape[1], t = windows[0].count
        let x = Tensor(zeros: [windows.count * t, d])
        for (w, window) in windows.enumerated() {
            for (i, id) in window.enumerated() {
                (x.pointer + (w * t + i) * d).update(from: table.pointer + Int(id) * d, count: d)
            }
        }
        return x
    }

    /// x (B·T, d) += positions (rows ≥ offset + T, d) rows offset..<offset+T, in every window
    /// (learned absolute position embeddings: GPT-2 offset 0, OPT offset 2).
    public static func addPositions(_ positions: Tensor, offset: Int, to x: Tensor, windows: Int, tokens: Int) {
        let d = positions.shape[1]
        for w in 0..<windows {
            Residual.add(positions.pointer + offset * d, into: x.pointer + w * tokens * d, count: tokens * d)
        }
    }
}

/// Activation buffers of one forward pass, reused by every block: `sizes` floats each, every
/// buffer written before it is read.
public final class ScratchBuffers {
    private let storage: [FloatBuffer]
    public init(_ sizes: [Int]) { storage = sizes.map { FloatBuffer(count: $0, zeroed: false) } }
    public subscript(_ i: Int) -> UnsafeMutablePointer<Float> { storage[i].pointer }
}

/// The LM head of the LayerNorm-family models: logits (rows, vocab) = x (rows, d) · Wᵀ, handed out
/// in chunks of at most 256 rows (bounds memory to 256 × vocab floats).
public final class LogitHead: @unchecked Sendable {
    public let weight: Tensor   // (vocab, d)
    let packed = PackedLinearWeightCache()
    static let chunkRows = 256

    public init(weight: Tensor) { self.weight = weight }

    public func logits(_ x: UnsafePointer<Float>, rows n: Int,
                       _ body: (_ firstRow: Int, _ rows: Int, _ values: UnsafePointer<Float>) -> Void) {
        let d = weight.shape[1], vocab = weight.shape[0]
        let chunk = FloatBuffer(count: min(n, Self.chunkRows) * vocab, zeroed: false)
        var row = 0
        while row < n {
            let rows = min(Self.chunkRows, n - row)
            // logits (rows, vocab) = x (rows, d) · Wᵀ
            BLAS.linear(x + row * d, rows: rows, packed: packed.get(weight), out: chunk.pointer)
            body(row, rows, chunk.pointer)
            row += rows
        }
    }
}
