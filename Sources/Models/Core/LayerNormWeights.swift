import TensorCore

/// A LayerNorm's weight and bias under its Hugging Face module path (`transformer.ln_f`).
public struct LayerNormWeights: Sendable {
    public let name: String
    public let weight: Tensor   // (n)
    public let bias: Tensor     // (n)
    public let eps: Float

    public init(_ name: String, size: Int, eps: Float, weights: CanonicalWeights) throws {
        self.name = name
        self.eps = eps
        weight = try weights.tensor(name + ".weight", shape: [size])
        bias = try weights.tensor(name + ".bias", shape: [size])
    }

    // x (rows, n) -> out (rows, n); out may alias x
    public func apply(_ x: UnsafePointer<Float>, rows: Int, out: UnsafeMutablePointer<Float>) {
        LayerNorm.apply(x, rows: rows, n: weight.count, weight: weight.pointer, bias: bias.pointer, eps: eps, out: out)
    }

    /// Its tensors under their Hugging Face names.
    public var namedTensors: [(String, Tensor)] { [(name + ".weight", weight), (name + ".bias", bias)] }
}

extension Linear {
    /// Loads `<name>.weight` (out, in) — kept as stored when loading memory-lean — and, with
    /// `bias`, `<name>.bias` (out).
    public convenience init(loading name: String, out: Int, in inFeatures: Int, bias: Bool, from weights: CanonicalWeights) throws {
        let w = try weights.linearWeight(name + ".weight", shape: [out, inFeatures])
        self.init(name: name, weight: w, bias: bias ? try weights.tensor(name + ".bias", shape: [out]) : nil)
    }

    /// Its tensors under their Hugging Face names, weight (out, in) as stored by `nn.Linear`.
    public var namedTensors: [(String, Tensor)] {
        [(name + ".weight", weight)] + (bias.map { [(name + ".bias", $0)] } ?? [])
    }
}

extension Tensor {
    /// The transpose of a 2-D tensor (rows, columns) -> (columns, rows).
    public func transposed() -> Tensor {
        precondition(shape.count == 2, "transposed() needs a 2-D tensor")
        let r = shape[0], c = shape[1]
        let out = Tensor(zeros: [c, r])
        let src = pointer, dst = out.pointer
        for i in 0..<r { for j in 0..<c { dst[j * r + i] = src[i * c + j] } }
        return out
    }
}
