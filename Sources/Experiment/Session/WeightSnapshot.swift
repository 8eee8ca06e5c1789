import Models
import TensorCore

/// A copy of every block linear's weight and bias, taken once after loading, so one loaded model
/// serves a whole study: `restore()` puts the base weights back (as fresh copies: a method may
/// write into the tensor it is given) and removes activation fake-quantization.
public final class WeightSnapshot {
    private let entries: [(linear: Linear, weight: Tensor, bias: Tensor?)]

    public init(_ model: any BlockwiseLanguageModel) {
        var entries: [(Linear, Tensor, Tensor?)] = []
        for b in 0..<model.blockCount {
            for linear in model.linears(ofBlock: b) {
                entries.append((linear, linear.weight.copied(), linear.bias?.copied()))
            }
        }
        self.entries = entries
    }

    public func restore() {
        for entry in entries {
            entry.linear.weight = entry.weight.copied()
            entry.linear.bias = entry.bias?.copied()
            entry.linear.inputTransform = nil
        }
    }

    /// Weights of the block linears, and their f32 bytes (the base row's size).
    public var weightCount: Int { entries.reduce(0) { $0 + $1.weight.count } }
}
