import TensorCore

/// OPT input groups, as llm-awq scales them: q/k/v from self_attn_layer_norm (measured at
/// out_proj's output), out_proj from v_proj, fc1 from final_layer_norm (its own output), fc2 from
/// fc1 (ReLU commutes with positive scales). Post-LayerNorm layers (OPT-350m) read the residual
/// stream itself, which no weight makes, and a GELU between fc1 and fc2 does not commute.
extension OPTModel: ChannelScalableModel {
    public func channelScaleGroups(ofBlock index: Int) -> [ChannelScaleGroup] {
        let b = blocks[index]
        let preNorm = config.doLayerNormBefore
        let residual = "post-LayerNorm layer: the input is the residual stream, which no weight makes"
        return [
            preNorm ? .init(role: .attentionInput, linears: [b.q, b.k, b.v], source: .layerNorm(b.attentionNorm), subModuleOutput: b.o)
                    : .init(role: .attentionInput, linears: [b.q, b.k, b.v], unfoldable: residual),
            .init(role: .attentionOutput, linears: [b.o], source: .linear(b.v, rows: 0..<b.v.outFeatures)),
            preNorm ? .init(role: .mlpInput, linears: [b.fc1], source: .layerNorm(b.mlpNorm))
                    : .init(role: .mlpInput, linears: [b.fc1], unfoldable: residual),
            activation == .relu ? .init(role: .mlpOutput, linears: [b.fc2], source: .linear(b.fc1, rows: 0..<b.fc1.outFeatures))
                                : .init(role: .mlpOutput, linears: [b.fc2], unfoldable: "\(activation.rawValue) between fc1 and fc2 does not commute with scales"),
        ]
    }
}
