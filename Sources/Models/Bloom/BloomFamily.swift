import ModelFormats

/// BLOOM's routes in the family table: Hugging Face checkpoints only.
enum BloomFamily {
    /// config.json → `BloomModel`; inspect's map.
    static let hf = ModelFamily.HFRoute(
        build: { path, weights in try BloomModel(config: BloomConfig(contentsOf: path), weights: weights) },
        describe: { path in
            let c = try BloomConfig(contentsOf: path)
            return InspectFields.decoder(
                layers: c.numHiddenLayers, hidden: c.hiddenSize, ffn: 4 * c.hiddenSize, heads: c.numAttentionHeads,
                vocab: c.vocabSize, context: nil, tied: c.tieWordEmbeddings,
                extra: ["positions": "ALiBi", "layer_norm_eps": "\(c.layerNormEpsilon)"])
        })
}
