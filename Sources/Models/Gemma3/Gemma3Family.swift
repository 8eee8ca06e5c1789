import ModelFormats

/// Gemma 3's routes in the family table: llama.cpp's GGUF files and `gemma3_text` checkpoints.
/// Quantized Gemma 3 models are written as GGUF into a copy of a Gemma 3 GGUF (no Q/K permutation;
/// norms stored as 1 + w, as llama.cpp's converter writes them).
enum Gemma3Family {
    /// GGUF → `Gemma3Model`; inspect's map; export-hf's config.json.
    static let gguf = ModelFamily.GGUFRoute(
        build: { file in try Gemma3Model(hyper: Gemma3GGUF.hyperparameters(file), weights: GGUFGemma3Weights(file: file)) },
        describe: { file in describe(try Gemma3GGUF.hyperparameters(file)) },
        hfConfig: { file, member in
            try Gemma3HF.configJSON(fromGGUF: file, hyper: Gemma3GGUF.hyperparameters(file), modelType: member.modelType,
                                    hfClass: member.hfClass)
        },
        tensorLayout: .init(tensorName: Gemma3GGUF.ggufName, permutedRows: { _ in [:] }, storedForm: Gemma3GGUF.storedForm))

    /// config.json → `Gemma3Model`; inspect's map.
    static let hf = ModelFamily.HFRoute(
        build: { path, weights in try Gemma3Model(hyper: hyperparameters(configPath: path), weights: weights) },
        describe: { path in describe(try hyperparameters(configPath: path)) })

    static func hyperparameters(configPath path: String) throws -> Gemma3Hyperparameters {
        try Gemma3HF.hyperparameters(Gemma3TextConfig(contentsOf: path), file: path)
    }

    /// The hyperparameters as `ptqlab inspect` shows them.
    static func describe(_ h: Gemma3Hyperparameters) -> [String: String] {
        [
            "layers": "\(h.layers)", "hidden_size": "\(h.hiddenSize)", "intermediate_size": "\(h.intermediateSize)",
            "heads": "\(h.heads)", "kv_heads": "\(h.kvHeads)", "head_dim": "\(h.headDim)", "vocab_size": "\(h.vocabSize)",
            "context": "\(h.maxContext)", "tied_embeddings": "true", "rms_norm_eps": "\(h.rmsNormEps)",
            "sliding_window": "\(h.slidingWindow)",
            "global_layers": (0..<h.layers).filter(h.isGlobal(layer:)).map(String.init).joined(separator: ","),
            "query_pre_attn_scalar": "\(h.queryPreAttentionScalar)",
            "final_logit_softcap": h.finalLogitSoftcap.map { "\($0)" } ?? "none",
        ]
    }
}
