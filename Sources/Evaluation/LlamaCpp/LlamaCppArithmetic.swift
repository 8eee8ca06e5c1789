import Models
import TensorCore

/// Runs a loaded GGUF model with llama.cpp's CPU arithmetic where it changes results: the input
/// of every product with a stored weight (each block linear and the LM head) is rounded to the
/// weight type's `vec_dot_type` first (`GGMLActivationRounding`), as ggml-cpu does before its
/// integer dot products. Without it, `ptqlab eval` scores the file's weights in f32 arithmetic,
/// which is what the weights mean but not what `llama-perplexity` measures on a quantized file:
/// on SmolLM2-135M in pure Q8_0 the rounding alone adds +0.3% perplexity (64 × 512 tokens).
///
/// Not modelled: the f16 KV cache and flash attention's f16 accumulation (on an F16 file, where
/// no 8-bit rounding amplifies them, llama.cpp's settings move its perplexity by 0.002%), and
/// Q8_1's block sum kept in f16 (Q4_1/Q5_1 min term). On quantized files llama.cpp's own result
/// moves 0.1–0.25% between its settings (flash attention on/off, f16 or f32 KV cache,
/// micro-batch size; 64 windows), which bounds how closely any reimplementation can agree.
public enum LlamaCppArithmetic {
    /// What was installed: products per rounding (F32 products have none).
    public struct Installed: Sendable, Equatable {
        public var roundings: [String: Int] = [:]
        public var unrounded = 0

        /// e.g. "Q8_0 ×168, Q8_K ×42, none ×1"
        public var description: String {
            var parts = roundings.keys.sorted().map { "\($0) ×\(roundings[$0]!)" }
            if unrounded > 0 { parts.append("f32 ×\(unrounded)") }
            return parts.joined(separator: ", ")
        }
    }

    /// Installs the roundings on `model` (loaded from the GGUF at `path`), replacing any input
    /// transform its linears had. Throws naming the file and tensor when the file is not a GGUF
    /// of a family PTQLab maps, a layer has no tensor, or a tensor's type has no CPU product.
    @discardableResult
    public static func install(on model: CausalLanguageModel, ggufPath path: String) throws -> Installed {
        guard let stored = try StoredWeightBlocks(path: path) else {
            throw ModelInputError("--llamacpp-arithmetic: \(path) is not a GGUF file of a family llama.cpp runs (the rounding follows each tensor's stored ggml type)")
        }
        var installed = Installed()
        func rounding(_ name: String) throws -> GGMLActivationRounding? {
            guard let type = stored.storedType(of: name) else {
                throw ModelInputError("--llamacpp-arithmetic: \(path) has no tensor for \(name).weight")
            }
            guard GGMLActivationRounding.knows(ggmlType: type) else {
                throw ModelInputError("--llamacpp-arithmetic: \(path): \(name).weight is stored as \(type), which has no llama.cpp CPU product this emulation knows")
            }
            let r = GGMLActivationRounding.forWeight(ggmlType: type)
            if let r { installed.roundings[r.rawValue, default: 0] += 1 } else { installed.unrounded += 1 }
            return r
        }
        guard let tables = model as? TokenTableModel else {
            throw ModelInputError("--llamacpp-arithmetic: the \(model.architecture) model has no LM head this emulation can reach")
        }
        let linears = try model.linearLayers.map { ($0, try rounding($0.name)) }
        let head = try rounding(tables.headTable.name)
        for (linear, r) in linears { linear.inputTransform = r.map(transform) }
        tables.headTable.head.inputTransform = head.map(transform)
        return installed
    }

    /// Removes what `install` set (the model computes in f32 again).
    public static func remove(from model: CausalLanguageModel) {
        for linear in model.linearLayers { linear.inputTransform = nil }
        (model as? TokenTableModel)?.headTable.head.inputTransform = nil
    }

    static func transform(_ rounding: GGMLActivationRounding) -> Linear.InputTransform {
        { x, rows, columns in rounding.apply(x, rows: rows, columns: columns) }
    }
}
