import Foundation
import ModelFormats

/// The Llama code path's routes in the family table: GGUF files (llama.cpp's layout, Q/K
/// permutation undone where the member's quirks say so) and Hugging Face checkpoints.
enum LlamaFamily {
    /// GGUF → `LlamaModel`; inspect's map; export-hf's config.json; GGUF export's tensor layout.
    static let gguf = ModelFamily.GGUFRoute(
        build: { file in
            let h = try LlamaGGUF.hyperparameters(file)
            return try LlamaModel(hyper: h, weights: GGUFLlamaWeights(file: file, hyper: h))
        },
        describe: { file in describe(try LlamaGGUF.hyperparameters(file)) },
        hfConfig: { file, member in
            let data = try JSONEncoder().encode(try LlamaHF.config(fromGGUF: file, hfClass: member.hfClass))
            return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        },
        tensorLayout: .init(tensorName: LlamaGGUF.ggufName, permutedRows: LlamaGGUF.permutedRows))

    /// config.json (llama, mistral, qwen2) → `LlamaModel`; inspect's map.
    static let hf = ModelFamily.HFRoute(
        build: { path, weights in try LlamaModel(hyper: hyperparameters(configPath: path), weights: weights) },
        describe: { path in describe(try hyperparameters(configPath: path)) })

    static func hyperparameters(configPath path: String) throws -> LlamaHyperparameters {
        try LlamaHyperparameters(config: LlamaConfig(contentsOf: path), file: path)
    }

    /// The hyperparameters as `ptqlab inspect` shows them.
    static func describe(_ h: LlamaHyperparameters) -> [String: String] {
        [
            "layers": "\(h.layers)", "hidden_size": "\(h.hiddenSize)", "intermediate_size": "\(h.intermediateSize)",
            "heads": "\(h.heads)", "kv_heads": "\(h.kvHeads)", "head_dim": "\(h.headDim)", "vocab_size": "\(h.vocabSize)",
            "context": "\(h.maxContext)", "tied_embeddings": "\(h.tiedEmbeddings)", "attention_bias": "\(h.attentionBias)",
            "rms_norm_eps": "\(h.rmsNormEps)",
        ]
    }
}
