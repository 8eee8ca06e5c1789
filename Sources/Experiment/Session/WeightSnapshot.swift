import Models
import TensorCore

/// A copy of every block linear's weight and bias, taken once after loading, so one loaded model
/// serves a whole study: `restore()` puts the base weights back (as fresh copies: a method may
/// write into the tensor it is given) and removes activation fake-quantization. The norm weights
/// and biases that channel scaling (AWQ, SmoothQuant) folds into are kept too, and restored in place.
public final class WeightSnapshot {
    private let entries: [(linear: Linear, weight: Tensor, bias: Tensor?)]
    private let norms: [(live: Tensor, saved: Tensor)]
    /// Tables saved on demand (`preserve`): the token tables a recipe quantizes.
    private var extra: [(live: WeightMatrix, saved: Tensor)] = []

    public init(_ model: any BlockwiseLanguageModel) {
        var entries: [(Linear, Tensor, Tensor?)] = []
        for b in 0..<model.blockCount {
            for linear in model.linears(ofBlock: b) {
                entries.append((linear, linear.weight.copied(), linear.bias?.copied()))
            }
        }
        self.entries = entries
        var norms: [(Tensor, Tensor)] = []
        if let scalable = model as? any ChannelScalableModel {
            for b in 0..<model.blockCount {
                for group in scalable.channelScaleGroups(ofBlock: b) {
                    for tensor in group.foldedNormTensors where !norms.contains(where: { $0.0.storage === tensor.storage }) {
                        norms.append((tensor, tensor.copied()))
                    }
                }
            }
        }
        self.norms = norms
    }

    public func restore() {
        for entry in entries {
            entry.linear.weight = entry.weight.copied()
            entry.linear.bias = entry.bias?.copied()
            entry.linear.inputTransform = nil
        }
        for norm in norms { norm.live.pointer.update(from: norm.saved.pointer, count: norm.saved.count) }
        for e in extra { e.live.tensor = e.saved.copied() }
    }

    /// Saves `table` (once) so `restore()` puts its values back.
    public func preserve(_ table: WeightMatrix) {
        guard !extra.contains(where: { $0.live === table }) else { return }
        extra.append((table, table.tensor.copied()))
    }

    /// Weights of the block linears, and their f32 bytes (the base row's size).
    public var weightCount: Int { entries.reduce(0) { $0 + $1.weight.count } }
}
