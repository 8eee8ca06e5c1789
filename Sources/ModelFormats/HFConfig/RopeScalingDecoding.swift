/// Reads a `rope_scaling` / `rope_parameters` object. Needs `max_position_embeddings`, the default
/// for `original_max_position_embeddings`, so `LlamaConfig` calls it with a nested container.
extension RopeScaling {
    enum Key: String, CodingKey {
        case ropeType = "rope_type", type, factor
        case lowFreqFactor = "low_freq_factor", highFreqFactor = "high_freq_factor"
        case originalMaxPositionEmbeddings = "original_max_position_embeddings"
        case betaFast = "beta_fast", betaSlow = "beta_slow", mscale
        case mscaleAllDim = "mscale_all_dim", attentionFactor = "attention_factor", truncate
        case ropeTheta = "rope_theta"
    }

    /// nil for the default (unscaled) rope type.
    static func decode(from c: KeyedDecodingContainer<Key>, maxPositionEmbeddings: Int) throws -> RopeScaling? {
        let typeKey: Key = c.contains(.ropeType) ? .ropeType : .type
        let type = try c.decodeIfPresent(String.self, forKey: typeKey) ?? "default"
        switch type {
        case "default":
            return nil
        case "linear":
            return .linear(factor: try positive(.factor, in: c))
        case "dynamic":
            return .dynamic(factor: try positive(.factor, in: c))
        case "llama3":
            let scaling = Llama3RopeScaling(
                factor: try positive(.factor, in: c),
                lowFreqFactor: try positive(.lowFreqFactor, in: c),
                highFreqFactor: try positive(.highFreqFactor, in: c),
                originalMaxPositionEmbeddings: try originalMax(in: c, default: maxPositionEmbeddings))
            guard scaling.highFreqFactor > scaling.lowFreqFactor else {
                throw DecodingError.dataCorruptedError(
                    forKey: .highFreqFactor, in: c,
                    debugDescription: "high_freq_factor \(scaling.highFreqFactor) must exceed low_freq_factor "
                        + "\(scaling.lowFreqFactor)")
            }
            return .llama3(scaling)
        case "yarn":
            let original = try originalMax(in: c, default: maxPositionEmbeddings)
            let factor = try c.contains(.factor) && !c.decodeNil(forKey: .factor)
                ? positive(.factor, in: c) : Double(maxPositionEmbeddings) / Double(original)
            return .yarn(YarnRopeScaling(
                factor: factor, originalMaxPositionEmbeddings: original,
                betaFast: try c.decodeIfPresent(Double.self, forKey: .betaFast) ?? 32,
                betaSlow: try c.decodeIfPresent(Double.self, forKey: .betaSlow) ?? 1,
                mscale: try c.decodeIfPresent(Double.self, forKey: .mscale),
                mscaleAllDim: try c.decodeIfPresent(Double.self, forKey: .mscaleAllDim),
                attentionFactor: try c.decodeIfPresent(Double.self, forKey: .attentionFactor),
                truncate: try c.decodeIfPresent(Bool.self, forKey: .truncate) ?? true))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: typeKey, in: c,
                debugDescription: "rope type '\(MessageExcerpt.of(type))' is not supported (supported: "
                    + supportedTypeNames.joined(separator: ", ") + ")")
        }
    }

    private static func positive(_ key: Key, in c: KeyedDecodingContainer<Key>) throws -> Double {
        let value = try c.decode(Double.self, forKey: key)
        guard value > 0, value.isFinite else {
            throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "must be positive, is \(value)")
        }
        return value
    }

    private static func originalMax(in c: KeyedDecodingContainer<Key>, default value: Int) throws -> Int {
        let original = try c.decodeIntegerIfPresent(forKey: .originalMaxPositionEmbeddings) ?? value
        guard original > 0 else {
            throw DecodingError.dataCorruptedError(forKey: .originalMaxPositionEmbeddings, in: c,
                                                   debugDescription: "must be positive, is \(original)")
        }
        return original
    }
}
