import TensorCore

/// A decoder whose blocks run in place on x (B·T, d), all sharing one set of scratch buffers per
/// forward pass: every family (Llama, Gemma 3, OPT, BLOOM, GPT-2, GPT-NeoX). The protocol supplies
/// the whole-model `forward` and the calibration `runBlock`; a model says what its scratch is
/// (`ScratchBuffers`, or a layout of its own), how to run one of its blocks, and how its final
/// hidden states become logits.
public protocol ScratchBlockStack: BlockwiseLanguageModel {
    /// The activation buffers one forward pass reuses in every block.
    associatedtype Scratch = ScratchBuffers
    /// Scratch for `rows` = B·T token rows.
    func scratch(rows: Int) -> Scratch
    /// Block `index` on x (B·T, d), in place.
    func runBlock(_ index: Int, _ x: UnsafeMutablePointer<Float>, windows: Int, tokens: Int, scratch: Scratch,
                  observer: LinearInputObserver?)
    /// Final norm (and output projection, if any) of x (rows, d), then the LM head's logits.
    func emitLogits(_ x: UnsafeMutablePointer<Float>, rows: Int,
                    _ logits: (_ firstRow: Int, _ rows: Int, _ values: UnsafePointer<Float>) -> Void)
}

extension ScratchBlockStack {
    /// Embeds `windows`, runs every block on one scratch, and hands out the logits.
    public func forward(windows: [[Int32]], observer: LinearInputObserver?,
                        logits: (_ firstRow: Int, _ rows: Int, _ values: UnsafePointer<Float>) -> Void) throws {
        let x = try embed(windows: windows)                     // (B·T, d)
        runBlocks(x.pointer, windows: windows.count, tokens: windows[0].count, observer: observer)
        emitLogits(x.pointer, rows: windows.count * windows[0].count, logits)
    }

    /// Every block in order on x (B·T, d), in place, sharing one scratch.
    public func runBlocks(_ x: UnsafeMutablePointer<Float>, windows: Int, tokens: Int, observer: LinearInputObserver?) {
        let buffers = scratch(rows: windows * tokens)
        for index in 0..<blockCount {
            runBlock(index, x, windows: windows, tokens: tokens, scratch: buffers, observer: observer)
        }
    }

    /// Block `index` on `hidden` (B·T, d), in place, with a scratch of its own.
    public func runBlock(_ index: Int, hidden: Tensor, windows: Int, tokens: Int, observer: LinearInputObserver?) {
        precondition(hidden.shape == [windows * tokens, hiddenSize], "hidden must be (B·T, d)")
        runBlock(index, hidden.pointer, windows: windows, tokens: tokens, scratch: scratch(rows: windows * tokens),
                 observer: observer)
    }
}

/// Activation buffers of one forward pass, reused by every block: `sizes` floats each, every
/// buffer written before it is read.
public final class ScratchBuffers {
    private let storage: [FloatBuffer]
    /// One uninitialised buffer per entry of `sizes` (floats).
    public init(_ sizes: [Int]) { storage = sizes.map { FloatBuffer(count: $0, zeroed: false) } }
    /// Buffer `i`.
    public subscript(_ i: Int) -> UnsafeMutablePointer<Float> { storage[i].pointer }
}
