import TensorCore

/// GPT-2 input groups: c_attn from ln_1 (measured at attn.c_proj's output), attn.c_proj from
/// c_attn's v rows (the last third: GPT-2 splits q, k, v in blocks), mlp.c_fc from ln_2 (measured
/// at mlp.c_proj's output); mlp.c_proj reads GELU's output, which does not commute with scales
/// (llm-awq would insert a scaling op there, which no export format carries).
extension GPT2Model: ChannelScalableModel {
    public func channelScaleGroups(ofBlock index: Int) -> [ChannelScaleGroup] {
        let b = blocks[index], d = b.projection.inFeatures
        return [
            .init(role: .attentionInput, linears: [b.attention], source: .layerNorm(b.ln1), subModuleOutput: b.projection),
            .init(role: .attentionOutput, linears: [b.projection], source: .linear(b.attention, rows: 2 * d..<3 * d)),
            .init(role: .mlpInput, linears: [b.fc], source: .layerNorm(b.ln2), subModuleOutput: b.fcOut),
            .init(role: .mlpOutput, linears: [b.fcOut], unfoldable: "GELU between c_fc and c_proj does not commute with scales"),
        ]
    }
}
