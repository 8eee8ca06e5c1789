import ModelFormats

/// GPT-2's routes in the family table: Hugging Face checkpoints only.
enum GPT2Family {
    /// config.json → `GPT2Model`; inspect's map.
    static let hf = ModelFamily.HFRoute(
        build: { path, weights in try GPT2Model(config: GPT2Config(contentsOf: path), weights: weights) },
        describe: { path in
            let c = try GPT2Config(contentsOf: path)
            return InspectFields.decoder(
                layers: c.nLayer, hidden: c.nEmbd, ffn: c.nInner, heads: c.nHead, vocab: c.vocabSize,
                context: c.nPositions, tied: c.tieWordEmbeddings,
                extra: ["positions": "learned", "activation": c.activationFunction])
        })
}
