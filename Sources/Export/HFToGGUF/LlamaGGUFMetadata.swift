import ModelFormats
import Models

/// A Llama-family config.json (llama, mistral, qwen2) as llama.cpp's converter writes it:
/// architecture `qwen2` for Qwen2, `llama` otherwise (Mistral included, Q/K rows permuted), and
/// the `<arch>.*` hyperparameter keys. The inverse of `LlamaGGUF.hyperparameters`, checked by
/// `check(_:against:)` on the written file.
enum LlamaGGUFMetadata {
    static func architecture(_ c: LlamaConfig) -> String { c.modelType == .qwen2 ? "qwen2" : "llama" }

    /// The `<arch>.*` entries, and the per-frequency RoPE divisors (`rope_freqs.weight`) for Llama
    /// 3.1-style scaling, which llama.cpp stores as a tensor.
    static func entries(_ c: LlamaConfig, file: String) throws -> (entries: [(String, GGUFValue)], ropeFactors: [Float]?) {
        let a = architecture(c)
        var out: [(String, GGUFValue)] = [
            ("\(a).block_count", .uint32(UInt32(c.numHiddenLayers))),
            ("\(a).context_length", .uint32(UInt32(c.maxPositionEmbeddings))),
            ("\(a).embedding_length", .uint32(UInt32(c.hiddenSize))),
            ("\(a).feed_forward_length", .uint32(UInt32(c.intermediateSize))),
            ("\(a).attention.head_count", .uint32(UInt32(c.numAttentionHeads))),
            ("\(a).attention.head_count_kv", .uint32(UInt32(c.numKeyValueHeads))),
            ("\(a).rope.freq_base", .float32(Float(c.ropeTheta))),
            ("\(a).attention.layer_norm_rms_epsilon", .float32(Float(c.rmsNormEps))),
        ]
        if c.headDim != c.hiddenSize / c.numAttentionHeads {
            out += [("\(a).attention.key_length", .uint32(UInt32(c.headDim))), ("\(a).attention.value_length", .uint32(UInt32(c.headDim)))]
        }
        if a == "llama" {
            out += [("\(a).vocab_size", .uint32(UInt32(c.vocabSize))), ("\(a).rope.dimension_count", .uint32(UInt32(c.headDim)))]
        }
        var factors: [Float]? = nil
        switch c.ropeScaling {
        case nil: break
        case .linear(let factor)?:
            out += [("\(a).rope.scaling.type", .string("linear")), ("\(a).rope.scaling.factor", .float32(Float(factor)))]
        case .llama3?:
            // divisors of the unscaled inverse frequencies, as llama.cpp's converter computes them
            let scaled = RopeFrequencies(config: c).inverseFrequencies
            var plain = c
            plain.ropeScaling = nil
            let unscaled = RopeFrequencies(config: plain).inverseFrequencies
            factors = zip(unscaled, scaled).map { $0 / $1 }
        case let other?:
            throw FormatError(file: file, field: "rope_scaling", "'\(other.typeName)' RoPE scaling has no llama.cpp form PTQLab writes (linear and llama3 do)")
        }
        return (out, factors)
    }

    /// The written file must read back as the config's model: same hyperparameters (RoPE to f32
    /// rounding of the divisors), except the architecture name and Mistral's sliding window, which
    /// llama.cpp's `llama` architecture does not keep.
    static func check(_ file: GGUFFile, against c: LlamaConfig, configPath: String) throws {
        var expected = try LlamaHyperparameters(config: c, file: configPath)
        var read = try LlamaGGUF.hyperparameters(file)
        expected.architecture = read.architecture
        expected.slidingWindow = read.slidingWindow
        let e = expected.ropeInverseFrequencies, r = read.ropeInverseFrequencies
        guard e.count == r.count, zip(e, r).allSatisfy({ abs($0 - $1) <= 1e-6 * abs($0) }) else {
            throw FormatError(file: file.path, field: "rope", "the written RoPE frequencies differ from \(configPath)'s")
        }
        read.ropeInverseFrequencies = e
        // llama.cpp's context is the config's max_position_embeddings; attention scaling is 1 for the forms written
        read.ropeAttentionScaling = expected.ropeAttentionScaling
        guard read == expected else {
            throw FormatError(file: file.path, field: "metadata", "the written hyperparameters do not reproduce \(configPath): \(read) vs \(expected)")
        }
    }
}
