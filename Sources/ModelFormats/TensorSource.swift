import TensorCore

/// Anything that holds named tensors a model can be built from: a GGUF file, a safetensors file,
/// a sharded Hugging Face checkpoint. Names are the container's own (GGUF `blk.0.attn_q.weight`,
/// HF `model.layers.0.self_attn.q_proj.weight`); architectures map them.
public protocol TensorSource: AnyObject, Sendable {
    /// The file or directory, for error messages.
    var sourcePath: String { get }
    /// All tensor names, in file order.
    var tensorNames: [String] { get }
    /// The shape in PyTorch order (outermost first): a linear weight is (out, in).
    func shape(of name: String) -> [Int]?
    /// The storage type as its conventional name ("F32", "BF16", "Q4_1", …).
    func storageType(of name: String) -> String?
    /// Decodes a tensor to f32. Throws a `FormatError` naming the file and tensor when it is
    /// missing, out of bounds or malformed.
    func loadFloat32(_ name: String) throws -> Tensor
    /// A 2-D tensor kept in its stored form when that form has an exact decoder (GGUF blocks,
    /// f16, bf16: memory-lean execution); nil when it is f32 or has none (use `loadFloat32`).
    func loadCompressed(_ name: String) throws -> CompressedMatrix?
}

extension TensorSource {
    public func contains(_ name: String) -> Bool { shape(of: name) != nil }

    /// Loads a tensor and checks its shape, naming file and tensor on a mismatch.
    public func loadFloat32(_ name: String, expectedShape: [Int]) throws -> Tensor {
        guard let s = shape(of: name) else {
            throw FormatError(file: sourcePath, field: name, "missing tensor")
        }
        guard s == expectedShape else {
            throw FormatError(file: sourcePath, field: name, "shape \(s), expected \(expectedShape)")
        }
        return try loadFloat32(name)
    }

    public func loadCompressed(_ name: String) throws -> CompressedMatrix? { nil }

    /// `loadCompressed` with the shape checked (2-D, as `expectedShape`).
    public func loadCompressed(_ name: String, expectedShape: [Int]) throws -> CompressedMatrix? {
        guard let s = shape(of: name) else {
            throw FormatError(file: sourcePath, field: name, "missing tensor")
        }
        guard s == expectedShape else {
            throw FormatError(file: sourcePath, field: name, "shape \(s), expected \(expectedShape)")
        }
        guard s.count == 2 else { return nil }
        return try loadCompressed(name)
    }
}
