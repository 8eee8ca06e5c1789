import ModelFormats

/// OPT's routes in the family table: Hugging Face checkpoints only.
enum OPTFamily {
    /// config.json → `OPTModel`; inspect's map.
    static let hf = ModelFamily.HFRoute(
        build: { path, weights in try OPTModel(config: OPTConfig(contentsOf: path), weights: weights) },
        describe: { path in
            let c = try OPTConfig(contentsOf: path)
            return InspectFields.decoder(
                layers: c.numHiddenLayers, hidden: c.hiddenSize, ffn: c.ffnDim, heads: c.numAttentionHeads, vocab: c.vocabSize,
                context: c.maxPositionEmbeddings, tied: c.tieWordEmbeddings,
                extra: ["positions": "learned (offset 2)", "layer_norm": c.doLayerNormBefore ? "pre" : "post",
                        "activation": c.activationFunction, "word_embed_proj_dim": "\(c.wordEmbedProjDim)"])
        })
}
