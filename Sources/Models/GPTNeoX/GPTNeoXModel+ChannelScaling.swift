import TensorCore

/// GPT-NeoX input groups (`ChannelScaleGroup.fusedAttentionGELUGroups`); with the parallel residual
/// the MLP's LayerNorm reads the block's input, which changes nothing here.
extension GPTNeoXModel: ChannelScalableModel {
    public func channelScaleGroups(ofBlock index: Int) -> [ChannelScaleGroup] {
        let b = blocks[index]
        return ChannelScaleGroup.fusedAttentionGELUGroups(attentionNorm: b.inputNorm, queryKeyValue: b.queryKeyValue, dense: b.dense,
                                                          mlpNorm: b.postAttentionNorm, up: b.up, down: b.down, denseNote: "AutoAWQ")
    }
}
