import TensorCore

/// A model that can be run one transformer block at a time: what sequential (block-by-block)
/// calibration needs — each block sees the outputs of the already-quantized blocks before it.
public protocol BlockwiseLanguageModel: CausalLanguageModel {
    var hiddenSize: Int { get }
    /// Token embeddings of equal-length windows: (B·T, d).
    func embed(windows: [[Int32]]) throws -> Tensor
    /// Runs block `index` on `hidden` (B·T, d) in place, for `windows` windows of `tokens` tokens.
    func runBlock(_ index: Int, hidden: Tensor, windows: Int, tokens: Int, observer: LinearInputObserver?)
    /// The linear layers of block `index`, in execution order.
    func linears(ofBlock index: Int) -> [Linear]
}
