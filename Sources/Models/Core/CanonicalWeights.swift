import ModelFormats
import TensorCore

/// Tensors under their Hugging Face names (`model.layers.0.self_attn.q_proj.weight`), whatever
/// the container: architectures ask for canonical names; a container-specific mapping (GGUF's
/// `blk.0.attn_q.weight`, with llama.cpp's Q/K row permutation undone) sits behind this.
public protocol CanonicalWeights: Sendable {
    var sourcePath: String { get }
    func contains(_ name: String) -> Bool
    /// Loads and checks the shape; errors name the file and the tensor.
    func tensor(_ name: String, shape: [Int]) throws -> Tensor
    /// A 2-D weight matrix: kept in its stored form when `WeightResidency.loading` is lean and the
    /// form has an exact decoder, else f32 as `tensor` gives it.
    func linearWeight(_ name: String, shape: [Int]) throws -> LinearWeight
}

/// Hugging Face checkpoints already use canonical names.
public struct DirectWeights: CanonicalWeights {
    public let source: any TensorSource
    public init(_ source: any TensorSource) { self.source = source }
    public var sourcePath: String { source.sourcePath }
    public func contains(_ name: String) -> Bool { source.contains(name) }
    public func tensor(_ name: String, shape: [Int]) throws -> Tensor {
        let t = try source.loadFloat32(name, expectedShape: shape)
        try WeightCheck.finite(t, name: name, file: sourcePath)
        return t
    }
    public func linearWeight(_ name: String, shape: [Int]) throws -> LinearWeight {
        if WeightResidency.loading == .lean, let c = try source.loadCompressed(name, expectedShape: shape) {
            try WeightCheck.finite(c, name: name, file: sourcePath)
            return .compressed(c)
        }
        return .dense(try tensor(name, shape: shape))
    }
}

public enum WeightCheck {
    /// NaN or infinity in weights makes every number downstream meaningless: refuse early.
    public static func finite(_ t: Tensor, name: String, file: String) throws {
        let p = t.pointer
        var bad = -1
        for i in 0..<t.count where !p[i].isFinite { bad = i; break }
        if bad >= 0 {
            throw FormatError(file: file, field: name, "non-finite value \(p[bad]) at flat index \(bad)")
        }
    }
}
