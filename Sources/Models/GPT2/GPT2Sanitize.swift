import ModelFormats
import TensorCore

/// GPT-2 stores its projections as `Conv1D` modules whose weight is (in, out), the transpose of
/// `nn.Linear`'s. Loading transposes them to the (out, in) every `Linear` uses; writing a
/// checkpoint transposes them back.
public enum GPT2Sanitize {
    /// `<name>.weight` stored (in, out) → (out, in).
    static func conv1DWeight(_ name: String, in inFeatures: Int, out: Int, from weights: CanonicalWeights) throws -> Tensor {
        try weights.tensor(name + ".weight", shape: [inFeatures, out]).transposed()
    }

    /// A `Linear` from a Conv1D module: weight transposed, bias as is.
    static func linear(_ name: String, in inFeatures: Int, out: Int, from weights: CanonicalWeights) throws -> Linear {
        Linear(name: name, weight: try conv1DWeight(name, in: inFeatures, out: out, from: weights),
               bias: try weights.tensor(name + ".bias", shape: [out]))
    }

    /// The Conv1D tensors of a `Linear`: weight (in, out), bias (out).
    static func conv1DTensors(_ linear: Linear) -> [(String, Tensor)] {
        [(linear.name + ".weight", linear.weight.transposed())] + (linear.bias.map { [(linear.name + ".bias", $0)] } ?? [])
    }
}
