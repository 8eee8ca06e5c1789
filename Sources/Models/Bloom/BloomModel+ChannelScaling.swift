import TensorCore

/// BLOOM input groups (`ChannelScaleGroup.fusedAttentionGELUGroups`): llm-awq measures the whole
/// block for query_key_value and dense_h_to_4h, PTQLab the attention's and the MLP's outputs; dense
/// is left unscaled as llm-awq leaves it.
extension BloomModel: ChannelScalableModel {
    public func channelScaleGroups(ofBlock index: Int) -> [ChannelScaleGroup] {
        let b = blocks[index]
        return ChannelScaleGroup.fusedAttentionGELUGroups(attentionNorm: b.inputNorm, queryKeyValue: b.queryKeyValue, dense: b.dense,
                                                          mlpNorm: b.postAttentionNorm, up: b.up, down: b.down, denseNote: "llm-awq")
    }
}
