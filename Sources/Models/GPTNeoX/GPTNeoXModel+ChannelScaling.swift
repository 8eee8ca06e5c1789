import TensorCore

/// GPT-NeoX input groups: query_key_value from input_layernorm (measured at dense's output),
/// dense_h_to_4h from post_attention_layernorm (measured at dense_4h_to_h's output). dense reads
/// the heads' v, interleaved per head inside query_key_value's rows, left unscaled as AutoAWQ
/// does; dense_4h_to_h reads GELU's output, which does not commute with scales.
extension GPTNeoXModel: ChannelScalableModel {
    public func channelScaleGroups(ofBlock index: Int) -> [ChannelScaleGroup] {
        let b = blocks[index]
        func norm(_ n: LayerNormWeights) -> ChannelScaleGroup.Source { .norm(name: n.name, weight: n.weight, bias: n.bias, offset: 0) }
        return [
            .init(role: .attentionInput, linears: [b.queryKeyValue], source: norm(b.inputNorm), subModuleOutput: b.dense),
            .init(role: .attentionOutput, linears: [b.dense], unfoldable: "v is interleaved per head in query_key_value (left unscaled, as AutoAWQ)"),
            .init(role: .mlpInput, linears: [b.up], source: norm(b.postAttentionNorm), subModuleOutput: b.down),
            .init(role: .mlpOutput, linears: [b.down], unfoldable: "GELU between dense_h_to_4h and dense_4h_to_h does not commute with scales"),
        ]
    }
}
