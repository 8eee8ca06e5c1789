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
        for window in windows { try checkIDs(window, vocabularySize: vocabularySize) }
        return (windows.count, t)
    }

    /// Throws for the first id outside 0..<vocabularySize.
    public static func checkIDs(_ tokens: [Int32], vocabularySize: Int) throws {
        if let id = tokens.first(where: { $0 < 0 || Int($0) >= vocabularySize }) {
            throw ModelInputError("token id \(id) outside the vocabulary of \(vocabularySize)")
        }
    }

    /// x (B·T, d) = rows `tokens` of `table` (vocab, d), window after window.
    public static func gather(_ windows: [[Int32]], from table: WeightMatrix) -> Tensor {
        let d = table.columns, t = windows[0].count
        let x = Tensor(zeros: [windows.count * t, d])
        for (w, window) in windows.enumerated() { table.gatherRows(window, into: x.pointer + w * t * d) }
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
