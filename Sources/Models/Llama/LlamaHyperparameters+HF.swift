import ModelFormats

extension LlamaHyperparameters {
    /// From a Hugging Face config.json (llama, mistral, qwen2 model types).
    public init(config c: LlamaConfig, file: String) throws {
        if c.mlpBias {
            throw FormatError(file: file, field: "mlp_bias", "MLP biases are not supported for \(c.modelType.rawValue)")
        }
        let rope = RopeFrequencies(config: c)
        self.init(
            architecture: c.modelType.rawValue, vocabSize: c.vocabSize, hiddenSize: c.hiddenSize,
            intermediateSize: c.intermediateSize, layers: c.numHiddenLayers, heads: c.numAttentionHeads,
            kvHeads: c.numKeyValueHeads, headDim: c.headDim, rmsNormEps: Float(c.rmsNormEps),
            ropeInverseFrequencies: rope.inverseFrequencies, ropeAttentionScaling: rope.attentionScaling,
            maxContext: c.maxPositionEmbeddings, tiedEmbeddings: c.tieWordEmbeddings,
            attentionBias: c.attentionBias, slidingWindow: c.slidingWindow)
        try validate(file: file)
    }
}
