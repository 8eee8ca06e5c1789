import TensorCore

/// Llama / SmolLM2 / Mistral / Qwen2 input groups, as llm-awq scales them: q/k/v from
/// input_layernorm (measured at o_proj's output), o_proj from v_proj's rows when v_proj and o_proj
/// have the same shape (not with grouped-query attention, whose v rows feed several heads),
/// gate/up from post_attention_layernorm (measured at down_proj's output), down_proj from up_proj.
extension LlamaModel: ChannelScalableModel {
    public func channelScaleGroups(ofBlock index: Int) -> [ChannelScaleGroup] {
        let b = blocks[index], p = "model.layers.\(index).", h = hyper, rope = rope
        return [
            .init(role: .attentionInput, linears: [b.q, b.k, b.v],
                  source: .norm(name: p + "input_layernorm", weight: b.inputNorm, bias: nil, offset: 0), subModuleOutput: b.o,
                  subModuleInput: { x, windows, tokens in
                      AttentionContext.compute(x, q: b.q, k: b.k, v: b.v, windows: windows, tokens: tokens, heads: h.heads,
                                               kvHeads: h.kvHeads, headDim: h.headDim, scale: 1 / Float(h.headDim).squareRoot(),
                                               slidingWindow: h.slidingWindow) { q, k in
                          rope.apply(q: q, k: k, windows: windows, tokens: tokens, heads: h.heads, kvHeads: h.kvHeads, headDim: h.headDim)
                      }
                  }),
            .attentionOutput(v: b.v, o: b.o),
        ] + ChannelScaleGroup.gatedMLPGroups(
            norm: .norm(name: p + "post_attention_layernorm", weight: b.postAttentionNorm, bias: nil, offset: 0),
            gate: b.gate, up: b.up, down: b.down, combine: Activations.swiglu(gate:up:count:))
    }
}
