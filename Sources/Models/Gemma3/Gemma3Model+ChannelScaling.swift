import TensorCore

/// Gemma 3 input groups: as Llama's, with the norms' (1 + w) weights (offset 1) and the MLP's input
/// made by pre_feedforward_layernorm. The norms after o_proj and down_proj act on those outputs,
/// so the measured sub-module outputs are taken before them.
extension Gemma3Model: ChannelScalableModel {
    public func channelScaleGroups(ofBlock index: Int) -> [ChannelScaleGroup] {
        let b = blocks[index], p = "model.layers.\(index).", h = hyper
        let rope = b.isGlobal ? globalRope : localRope
        return [
            .init(role: .attentionInput, linears: [b.q, b.k, b.v],
                  source: .norm(name: p + "input_layernorm", weight: b.inputNorm, bias: nil, offset: 1), subModuleOutput: b.o,
                  subModuleInput: { x, windows, tokens in
                      AttentionContext.compute(x, q: b.q, k: b.k, v: b.v, windows: windows, tokens: tokens, heads: h.heads,
                                               kvHeads: h.kvHeads, headDim: h.headDim, scale: 1 / h.queryPreAttentionScalar.squareRoot(),
                                               slidingWindow: b.isGlobal ? nil : h.slidingWindow) { q, k in
                          let n = windows * tokens
                          RMSNorm.apply(q, rows: n * h.heads, n: h.headDim, weight: b.queryNorm.pointer, eps: h.rmsNormEps,
                                        weightOffset: 1, out: q)
                          RMSNorm.apply(k, rows: n * h.kvHeads, n: h.headDim, weight: b.keyNorm.pointer, eps: h.rmsNormEps,
                                        weightOffset: 1, out: k)
                          rope.apply(q: q, k: k, windows: windows, tokens: tokens, heads: h.heads, kvHeads: h.kvHeads, headDim: h.headDim)
                      }
                  }),
            .attentionOutput(v: b.v, o: b.o),
        ] + ChannelScaleGroup.gatedMLPGroups(
            norm: .norm(name: p + "pre_feedforward_layernorm", weight: b.preFeedforwardNorm, bias: nil, offset: 1),
            gate: b.gate, up: b.up, down: b.down, combine: Activations.gegluTanh(gate:up:count:))
    }
}
