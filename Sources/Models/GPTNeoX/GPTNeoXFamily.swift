import ModelFormats

/// GPT-NeoX's routes in the family table: Hugging Face checkpoints only.
enum GPTNeoXFamily {
    /// config.json → `GPTNeoXModel`; inspect's map.
    static let hf = ModelFamily.HFRoute(
        build: { path, weights in try GPTNeoXModel(config: GPTNeoXConfig(contentsOf: path), weights: weights) },
        describe: { path in
            let c = try GPTNeoXConfig(contentsOf: path)
            return InspectFields.decoder(
                layers: c.numHiddenLayers, hidden: c.hiddenSize, ffn: c.intermediateSize, heads: c.numAttentionHeads,
                vocab: c.vocabSize, context: c.maxPositionEmbeddings, tied: c.tieWordEmbeddings,
                extra: ["positions": "rotary on \(c.rotaryDim) of \(c.headDim) dims (θ \(c.rotaryEmbBase))",
                        "parallel_residual": "\(c.useParallelResidual)", "activation": c.hiddenAct])
        })
}
