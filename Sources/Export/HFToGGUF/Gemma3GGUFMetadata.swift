import ModelFormats
import Models

/// A `gemma3_text` config.json as llama.cpp's `gemma3.*` keys: the inverse of
/// `Gemma3GGUF.hyperparameters`, checked by `check(_:against:)` on the written file.
enum Gemma3GGUFMetadata {
    static let architecture = Gemma3GGUF.architecture

    static func entries(_ c: Gemma3TextConfig) -> [(String, GGUFValue)] {
        let a = architecture
        var out: [(String, GGUFValue)] = [
            ("\(a).context_length", .uint32(UInt32(c.maxPositionEmbeddings))),
            ("\(a).embedding_length", .uint32(UInt32(c.hiddenSize))),
            ("\(a).block_count", .uint32(UInt32(c.numHiddenLayers))),
            ("\(a).feed_forward_length", .uint32(UInt32(c.intermediateSize))),
            ("\(a).attention.head_count", .uint32(UInt32(c.numAttentionHeads))),
            ("\(a).attention.head_count_kv", .uint32(UInt32(c.numKeyValueHeads))),
            ("\(a).attention.key_length", .uint32(UInt32(c.headDim))),
            ("\(a).attention.value_length", .uint32(UInt32(c.headDim))),
            ("\(a).attention.layer_norm_rms_epsilon", .float32(Float(c.rmsNormEps))),
            ("\(a).rope.freq_base", .float32(Float(c.globalRopeTheta))),
            ("\(a).rope.freq_base_swa", .float32(Float(c.localRopeTheta))),
            ("\(a).attention.sliding_window", .uint32(UInt32(c.slidingWindow))),
            ("\(a).attention.sliding_window_pattern", .uint32(UInt32(c.slidingWindowPattern))),
        ]
        if let cap = c.finalLogitSoftcapping { out.append(("\(a).final_logit_softcapping", .float32(Float(cap)))) }
        if let factor = c.globalRopeLinearFactor {
            out += [("\(a).rope.scaling.type", .string("linear")), ("\(a).rope.scaling.factor", .float32(Float(factor)))]
        }
        return out
    }

    /// The written file must read back as the config's model (llama.cpp derives the query scale
    /// from the model size: a config whose `query_pre_attn_scalar` differs from that is refused).
    static func check(_ file: GGUFFile, against c: Gemma3TextConfig, configPath: String) throws {
        let expected = try Gemma3HF.hyperparameters(c, file: configPath)
        let read = try Gemma3GGUF.hyperparameters(file)
        guard read == expected else {
            throw FormatError(file: file.path, field: "metadata", "the written hyperparameters do not reproduce \(configPath) "
                              + "(query_pre_attn_scalar \(c.queryPreAttnScalar) vs llama.cpp's \(read.queryPreAttentionScalar)?)")
        }
    }
}
