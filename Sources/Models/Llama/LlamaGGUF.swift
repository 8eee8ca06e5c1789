import ModelFormats
import TensorCore

/// Reading Llama-family models from llama.cpp's GGUF: hyperparameters from `<arch>.*` metadata
/// and tensors under HF names, with llama.cpp's Q/K row permutation undone.
public enum LlamaGGUF {
    /// The `general.architecture` values of the Llama row of the family table.
    public static var architectures: Set<String> { Set(ModelFamilies.llama.members.compactMap(\.ggufArchitecture)) }

    public static func hyperparameters(_ file: GGUFFile) throws -> LlamaHyperparameters {
        let md = file.metadata, path = file.sourcePath
        guard let arch = md["general.architecture"]?.asString else {
            throw FormatError(file: path, field: "general.architecture", "missing")
        }
        let r = GGUFHyperparameterReader(file: file, architecture: arch)
        let d = try r.size("embedding_length")
        let heads = try r.size("attention.head_count")
        let kvHeads = try r.size("attention.head_count_kv", default: heads)
        let headDim = try r.size("attention.key_length", default: d / heads)
        let ropeDim = try r.int("rope.dimension_count", default: headDim)
        guard ropeDim == headDim else {
            throw FormatError(file: path, field: "\(arch).rope.dimension_count", "partial rotary (\(ropeDim) of \(headDim)) is not supported for \(arch)")
        }
        let theta = try r.positive("rope.freq_base", default: 10000)
        let context = try r.size("context_length", atMost: GGUFHyperparameterReader.maximumContext)
        let scaling: RopeScaling?
        switch md["\(arch).rope.scaling.type"]?.asString ?? "none" {
        case "none": scaling = nil
        case "linear": scaling = .linear(factor: Double(try r.positive("rope.scaling.factor", default: 1)))
        case let other:
            throw FormatError(file: path, field: "\(arch).rope.scaling.type", "rope scaling '\(other)' is not supported")
        }
        var inv = RopeFrequencies(headDim: headDim, ropeTheta: Double(theta), scaling: scaling,
                                  maxPositionEmbeddings: context).inverseFrequencies
        // Llama 3.1-style scaling is stored precomputed as per-frequency divisors.
        if file.contains("rope_freqs.weight") {
            let f = try file.loadFloat32("rope_freqs.weight", expectedShape: [headDim / 2])
            for i in inv.indices {
                guard f.pointer[i].isFinite, f.pointer[i] > 0 else {
                    throw FormatError(file: path, field: "rope_freqs.weight", "divisor \(i) is \(f.pointer[i]): must be finite and positive")
                }
                inv[i] /= f.pointer[i]
            }
        }
        let vocab = try r.size("vocab_size", default: md["tokenizer.ggml.tokens"]?.asArray?.count
            ?? file.shape(of: "token_embd.weight")?.first ?? 0, atMost: GGUFHyperparameterReader.maximumVocabulary)
        let sliding: Int? = quirks(arch).contains(.slidingWindow) ? (try? r.size("attention.sliding_window")) : nil
        let h = LlamaHyperparameters(
            architecture: arch, vocabSize: vocab, hiddenSize: d, intermediateSize: try r.size("feed_forward_length"),
            layers: try r.blockCount(), heads: heads, kvHeads: kvHeads, headDim: headDim,
            rmsNormEps: try r.positive("attention.layer_norm_rms_epsilon", default: 1e-5),
            ropeInverseFrequencies: inv, maxContext: context,
            tiedEmbeddings: !file.contains("output.weight"),
            attentionBias: file.contains("blk.0.attn_q.bias"), slidingWindow: sliding)
        return h
    }

    /// Whether llama.cpp's converter permutes the rows of Q and K (and their biases) for this
    /// architecture (see `GGUFLlamaWeights`).
    public static func permutesQK(architecture: String) -> Bool {
        quirks(architecture).contains(.permutedQK)
    }

    /// GGUF tensor name → heads of llama.cpp's Q/K row permutation, for the tensors `file` stores
    /// permuted (none for Qwen2): what GGUF export re-applies.
    public static func permutedRows(_ file: GGUFFile) throws -> [String: Int] {
        let h = try hyperparameters(file)
        guard permutesQK(architecture: h.architecture) else { return [:] }
        var heads: [String: Int] = [:]
        for i in 0..<h.layers {
            heads["blk.\(i).attn_q.weight"] = h.heads
            heads["blk.\(i).attn_k.weight"] = h.kvHeads
        }
        return heads
    }

    /// How llama.cpp's converter wrote `architecture` (the family table's member; none when unknown).
    static func quirks(_ architecture: String) -> ModelFamily.GGUFQuirks {
        ModelFamilies.lookup(ggufArchitecture: architecture)?.member.ggufQuirks ?? []
    }

    /// HF name → GGUF name for the llama tensor layout.
    public static func ggufName(_ hf: String) -> String? {
        let fixed = ["model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight",
                     "lm_head.weight": "output.weight"]
        if let f = fixed[hf] { return f }
        let parts = hf.split(separator: ".")
        guard parts.count >= 5, parts[0] == "model", parts[1] == "layers", let i = Int(parts[2]) else { return nil }
        let rest = parts[3...].joined(separator: ".")
        let map = ["input_layernorm.weight": "attn_norm.weight", "post_attention_layernorm.weight": "ffn_norm.weight",
                   "self_attn.q_proj.weight": "attn_q.weight", "self_attn.k_proj.weight": "attn_k.weight",
                   "self_attn.v_proj.weight": "attn_v.weight", "self_attn.o_proj.weight": "attn_output.weight",
                   "self_attn.q_proj.bias": "attn_q.bias", "self_attn.k_proj.bias": "attn_k.bias",
                   "self_attn.v_proj.bias": "attn_v.bias",
                   "mlp.gate_proj.weight": "ffn_gate.weight", "mlp.up_proj.weight": "ffn_up.weight",
                   "mlp.down_proj.weight": "ffn_down.weight"]
        guard let g = map[rest] else { return nil }
        return "blk.\(i).\(g)"
    }
}

/// GGUF tensors under HF names. llama.cpp's converter permutes the rows of Q and K (and their
/// biases) of `llama`-arch models so that RoPE pairs are adjacent; we undo it so that the HF
/// "rotate half" RoPE applies. Qwen2 GGUFs are not permuted.
public struct GGUFLlamaWeights: CanonicalWeights {
    public let file: GGUFFile
    public let hyper: LlamaHyperparameters
    let permuted: Bool

    public init(file: GGUFFile, hyper: LlamaHyperparameters) {
        self.file = file
        self.hyper = hyper
        permuted = LlamaGGUF.permutesQK(architecture: hyper.architecture)
    }

    public var sourcePath: String { file.sourcePath }

    public func contains(_ name: String) -> Bool {
        LlamaGGUF.ggufName(name).map { file.contains($0) } ?? false
    }

    public func tensor(_ name: String, shape: [Int]) throws -> Tensor {
        guard let g = LlamaGGUF.ggufName(name) else {
            throw FormatError(file: sourcePath, field: name, "no GGUF tensor corresponds to this name")
        }
        var t = try file.loadFloat32(g, expectedShape: shape)
        try WeightCheck.finite(t, name: g, file: sourcePath)
        if permuted {
            if name.hasSuffix("self_attn.q_proj.weight") || name.hasSuffix("self_attn.q_proj.bias") {
                t = Self.unpermute(t, heads: hyper.heads)
            } else if name.hasSuffix("self_attn.k_proj.weight") || name.hasSuffix("self_attn.k_proj.bias") {
                t = Self.unpermute(t, heads: hyper.kvHeads)
            }
        }
        return t
    }

    public func linearWeight(_ name: String, shape: [Int]) throws -> LinearWeight {
        guard WeightResidency.loading == .lean, let g = LlamaGGUF.ggufName(name),
              var c = try file.loadCompressed(g, expectedShape: shape) else {
            return try denseLinearWeight(name, shape: shape)
        }
        try WeightCheck.finite(c, name: g, file: sourcePath)
        if permuted {
            if name.hasSuffix("self_attn.q_proj.weight") {
                c = c.reorderingRows(Self.unpermutedOrder(rows: c.rows, heads: hyper.heads))
            } else if name.hasSuffix("self_attn.k_proj.weight") {
                c = c.reorderingRows(Self.unpermutedOrder(rows: c.rows, heads: hyper.kvHeads))
            }
        }
        return .compressed(c)
    }

    /// `unpermute` as a row order: HF row i is GGUF row order[i].
    static func unpermutedOrder(rows: Int, heads: Int) -> [Int] {
        let hd = rows / heads, half = hd / 2
        var order = [Int](repeating: 0, count: rows)
        for h in 0..<heads {
            for s in 0..<2 {
                for j in 0..<half { order[h * hd + s * half + j] = h * hd + 2 * j + s }
            }
        }
        return order
    }

    /// Inverse of llama.cpp's `permute`: GGUF row h·hd + 2j + s holds HF row h·hd + s·hd/2 + j.
    static func unpermute(_ t: Tensor, heads: Int) -> Tensor {
        t.reorderingRows(unpermutedOrder(rows: t.shape[0], heads: heads))
    }
}
