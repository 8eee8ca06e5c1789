import ModelFormats
import TensorCore

/// Reading Gemma 3 from llama.cpp's GGUF (`general.architecture` "gemma3"): hyperparameters from
/// `gemma3.*` metadata, with llama.cpp's defaults where the converter writes nothing, and tensors
/// under Hugging Face names.
public enum Gemma3GGUF {
    /// Its `general.architecture` (and metadata key prefix), from the family table.
    public static var architecture: String { ModelFamilies.gemma3.architecture }

    public static func hyperparameters(_ file: GGUFFile) throws -> Gemma3Hyperparameters {
        let md = file.metadata, path = file.sourcePath, arch = architecture
        guard md["general.architecture"]?.asString == arch else {
            throw FormatError(file: path, field: "general.architecture", "expected '\(arch)', got \(md["general.architecture"].map { "\($0)" } ?? "nothing")")
        }
        let r = GGUFHyperparameterReader(file: file, architecture: arch)
        if md["\(arch).attn_logit_softcapping"] != nil {
            throw FormatError(file: path, field: "\(arch).attn_logit_softcapping", "attention logit soft-capping (Gemma 2) is not supported")
        }
        let d = try r.size("embedding_length")
        let heads = try r.size("attention.head_count")
        let headDim = try r.size("attention.key_length", default: d / heads)
        let valueDim = try r.int("attention.value_length", default: headDim)
        guard valueDim == headDim else {
            throw FormatError(file: path, field: "\(arch).attention.value_length", "\(valueDim) differs from key_length \(headDim): not supported")
        }
        let ropeDim = try r.int("rope.dimension_count", default: headDim)
        guard ropeDim == headDim else {
            throw FormatError(file: path, field: "\(arch).rope.dimension_count", "partial rotary (\(ropeDim) of \(headDim)) is not supported")
        }
        let layers = try r.blockCount()
        let context = try r.size("context_length", atMost: GGUFHyperparameterReader.maximumContext)
        // Global layers: rope.freq_base (1e6), with linear scaling on the larger models. Local
        // layers: rope.freq_base_swa when written, else 10000 (llama.cpp's default for gemma3; HF
        // `rope_local_base_freq`), never scaled.
        let globalBase = try r.positive("rope.freq_base", default: 1_000_000)
        let localBase = try r.positive("rope.freq_base_swa", default: 10_000)
        let scaling: RopeScaling?
        switch md["\(arch).rope.scaling.type"]?.asString ?? "none" {
        case "none": scaling = nil
        case "linear": scaling = .linear(factor: Double(try r.positive("rope.scaling.factor", default: 1)))
        case let other: throw FormatError(file: path, field: "\(arch).rope.scaling.type", "rope scaling '\(other)' is not supported")
        }
        let global = RopeFrequencies(headDim: headDim, ropeTheta: Double(globalBase), scaling: scaling,
                                     maxPositionEmbeddings: context).inverseFrequencies
        let local = RopeFrequencies(headDim: headDim, ropeTheta: Double(localBase), scaling: nil,
                                    maxPositionEmbeddings: context).inverseFrequencies
        // llama.cpp: query scale 1/√(d/heads) for the 27B model (62 layers), 1/√head_dim otherwise
        // (HF query_pre_attn_scalar: 168 for 27B, 256 = head_dim for the others).
        let queryScalar = Float(layers == 62 ? d / heads : headDim)
        let vocab = try r.size("vocab_size", default: md["tokenizer.ggml.tokens"]?.asArray?.count
            ?? file.shape(of: "token_embd.weight")?.first ?? 0, atMost: GGUFHyperparameterReader.maximumVocabulary)
        let h = Gemma3Hyperparameters(
            vocabSize: vocab, hiddenSize: d, intermediateSize: try r.size("feed_forward_length"), layers: layers,
            heads: heads, kvHeads: try r.size("attention.head_count_kv", default: heads), headDim: headDim,
            rmsNormEps: try r.positive("attention.layer_norm_rms_epsilon", default: 1e-6),
            globalRopeInverseFrequencies: global, localRopeInverseFrequencies: local,
            slidingWindow: try r.size("attention.sliding_window", atMost: GGUFHyperparameterReader.maximumContext),
            slidingWindowPattern: try r.size("attention.sliding_window_pattern", default: 6),
            queryPreAttentionScalar: queryScalar, finalLogitSoftcap: try r.float("final_logit_softcapping"),
            maxContext: context)
        try h.validate(file: path)
        return h
    }

    /// An HF tensor as llama.cpp's converter stores it: the norms' weights plus one (Gemma's RMSNorm
    /// scales by 1 + w; the GGUF holds the sum), everything else unchanged. The loader undoes it.
    @Sendable public static func storedForm(_ hf: String, _ t: Tensor) -> Tensor {
        guard ggufName(hf)?.hasSuffix("norm.weight") == true else { return t }
        let out = Tensor(zeros: t.shape)
        for i in 0..<t.count { out.pointer[i] = t.pointer[i] + 1 }
        return out
    }

    /// HF name → GGUF name for Gemma 3's tensors.
    public static func ggufName(_ hf: String) -> String? {
        let fixed = ["model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight"]
        if let f = fixed[hf] { return f }
        let parts = hf.split(separator: ".")
        guard parts.count >= 5, parts[0] == "model", parts[1] == "layers", let i = Int(parts[2]) else { return nil }
        let map = [
            "input_layernorm.weight": "attn_norm.weight",
            "post_attention_layernorm.weight": "post_attention_norm.weight",
            "pre_feedforward_layernorm.weight": "ffn_norm.weight",
            "post_feedforward_layernorm.weight": "post_ffw_norm.weight",
            "self_attn.q_proj.weight": "attn_q.weight", "self_attn.k_proj.weight": "attn_k.weight",
            "self_attn.v_proj.weight": "attn_v.weight", "self_attn.o_proj.weight": "attn_output.weight",
            "self_attn.q_norm.weight": "attn_q_norm.weight", "self_attn.k_norm.weight": "attn_k_norm.weight",
            "mlp.gate_proj.weight": "ffn_gate.weight", "mlp.up_proj.weight": "ffn_up.weight",
            "mlp.down_proj.weight": "ffn_down.weight",
        ]
        guard let g = map[parts[3...].joined(separator: ".")] else { return nil }
        return "blk.\(i).\(g)"
    }
}

/// Gemma 3 GGUF tensors under HF names and in HF's convention. llama.cpp's converter stores every
/// RMSNorm weight as 1 + w (Gemma normalizes with x̂·(1 + w)); we subtract the 1 again, as
/// transformers' GGUF loader does, so that weights mean the same whichever file they came from.
/// Q/K rows are not permuted for Gemma.
public struct GGUFGemma3Weights: CanonicalWeights {
    public let file: GGUFFile

    public init(file: GGUFFile) { self.file = file }

    public var sourcePath: String { file.sourcePath }

    public func contains(_ name: String) -> Bool {
        Gemma3GGUF.ggufName(name).map { file.contains($0) } ?? false
    }

    public func tensor(_ name: String, shape: [Int]) throws -> Tensor {
        guard let g = Gemma3GGUF.ggufName(name) else {
            throw FormatError(file: sourcePath, field: name, "no GGUF tensor corresponds to this name")
        }
        let t = try file.loadFloat32(g, expectedShape: shape)
        try WeightCheck.finite(t, name: g, file: sourcePath)
        if g.hasSuffix("norm.weight") {
            let p = t.pointer
            for i in 0..<t.count { p[i] -= 1 }
        }
        return t
    }

    public func linearWeight(_ name: String, shape: [Int]) throws -> LinearWeight {
        guard WeightResidency.loading == .lean, let g = Gemma3GGUF.ggufName(name), !g.hasSuffix("norm.weight"),
              let c = try file.loadCompressed(g, expectedShape: shape) else {
            return try denseLinearWeight(name, shape: shape)
        }
        try WeightCheck.finite(c, name: g, file: sourcePath)
        return .compressed(c)
    }
}
