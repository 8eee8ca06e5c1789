/// Writes a config.json transformers (4.x and 5.x) reads back to the same `LlamaConfig`.
extension LlamaConfig: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(modelType.rawValue, forKey: .modelType)
        if !architectures.isEmpty { try c.encode(architectures, forKey: .architectures) }
        try c.encode(hiddenSize, forKey: .hiddenSize)
        try c.encode(intermediateSize, forKey: .intermediateSize)
        try c.encode(numHiddenLayers, forKey: .numHiddenLayers)
        try c.encode(numAttentionHeads, forKey: .numAttentionHeads)
        try c.encode(numKeyValueHeads, forKey: .numKeyValueHeads)
        try c.encode(headDim, forKey: .headDim)
        try c.encode(rmsNormEps, forKey: .rmsNormEps)
        try c.encode(ropeTheta, forKey: .ropeTheta)
        try c.encode(maxPositionEmbeddings, forKey: .maxPositionEmbeddings)
        try c.encode(vocabSize, forKey: .vocabSize)
        try c.encode(tieWordEmbeddings, forKey: .tieWordEmbeddings)
        try c.encode(hiddenAct, forKey: .hiddenAct)
        try c.encodeIfPresent(torchDtype, forKey: .torchDtype)
        switch modelType {
        case .llama:
            try c.encode(attentionBias, forKey: .attentionBias)
            try c.encode(mlpBias, forKey: .mlpBias)
        case .mistral:
            try c.encode(slidingWindow, forKey: .slidingWindow)
        case .qwen2:
            try c.encode(slidingWindow != nil, forKey: .useSlidingWindow)
            try c.encodeIfPresent(slidingWindow, forKey: .slidingWindow)
        }
        try encodeTokenIDs(bosTokenIDs, forKey: .bosTokenID, in: &c)
        try encodeTokenIDs(eosTokenIDs, forKey: .eosTokenID, in: &c)
        if let ropeScaling {
            var rope = c.nestedContainer(keyedBy: RopeScaling.Key.self, forKey: .ropeScaling)
            try ropeScaling.encode(into: &rope)
        } else {
            try c.encodeNil(forKey: .ropeScaling)
        }
    }

    private func encodeTokenIDs(_ ids: [Int], forKey key: CodingKeys,
                                in c: inout KeyedEncodingContainer<CodingKeys>) throws {
        switch ids.count {
        case 0: try c.encodeNil(forKey: key)
        case 1: try c.encode(ids[0], forKey: key)
        default: try c.encode(ids, forKey: key)
        }
    }
}

extension RopeScaling {
    func encode(into c: inout KeyedEncodingContainer<Key>) throws {
        try c.encode(typeName, forKey: .ropeType)
        switch self {
        case let .linear(factor), let .dynamic(factor):
            try c.encode(factor, forKey: .factor)
        case let .llama3(p):
            try c.encode(p.factor, forKey: .factor)
            try c.encode(p.lowFreqFactor, forKey: .lowFreqFactor)
            try c.encode(p.highFreqFactor, forKey: .highFreqFactor)
            try c.encode(p.originalMaxPositionEmbeddings, forKey: .originalMaxPositionEmbeddings)
        case let .yarn(p):
            try c.encode(p.factor, forKey: .factor)
            try c.encode(p.originalMaxPositionEmbeddings, forKey: .originalMaxPositionEmbeddings)
            try c.encode(p.betaFast, forKey: .betaFast)
            try c.encode(p.betaSlow, forKey: .betaSlow)
            try c.encodeIfPresent(p.mscale, forKey: .mscale)
            try c.encodeIfPresent(p.mscaleAllDim, forKey: .mscaleAllDim)
            try c.encodeIfPresent(p.attentionFactor, forKey: .attentionFactor)
            try c.encode(p.truncate, forKey: .truncate)
        }
    }
}
