import TensorCore

/// A decoder whose blocks run in place on x (B·T, d), all sharing one set of scratch buffers per
/// forward pass: the LayerNorm-family models (OPT, BLOOM, GPT-2, GPT-NeoX). The protocol supplies
/// the whole-model `forward` and the calibration `runBlock`; a model says how big its scratch is,
/// how to run one of its blocks, and how its final hidden states become logits.
public protocol ScratchBlockStack: BlockwiseLanguageModel {
    /// Scratch for `rows` = B·T token rows.
    func scratch(rows: Int) -> ScratchBuffers
    /// Block `index` on x (B·T, d), in place.
    func runBlock(_ index: Int, _ x: UnsafeMutablePointer<Float>, windows: Int, tokens: Int, scratch: ScratchBuffers,
                  observer: LinearInputObserver?)
    /// Final norm (and output projection, if any) of x (rows, d), then the LM head's logits.
    func emitLogits(_ x: UnsafeMutablePointer<Float>, rows: Int,
                    _ logits: (_ firstRow: Int, _ rows: Int, _ values: UnsafePointer<Float>) -> Void)
}

extension ScratchBlockStack {
    public func forward(windows: [[Int32]], observer: LinearInputObserver?,
                        logits: (_ firstRow: Int, _ rows: Int, _ values: UnsafePointer<Float>) -> Void) throws {
        let x = try embed(windows: windows)                     // (B·T, d)
        let b = windows.count, t = windows[0].count
        let buffers = scratch(rows: b * t)
        for index in 0..<blockCount {
            runBlock(index, x.pointer, windows: b, tokens: t, scratch: buffers, observer: observer)
        }
        emitLogits(x.pointer, rows: b * t, logits)
    }

    public func runBlock(_ index: Int, hidden: Tensor, windows: Int, tokens: Int, observer: LinearInputObserver?) {
        precondition(hidden.shape == [windows * tokens, hiddenSize], "hidden must be (B·T, d)")
        runBlock(index, hidden.pointer, windows: windows, tokens: tokens, scratch: scratch(rows: windows * tokens),
                 observer: observer)
    }
}
