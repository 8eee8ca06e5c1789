import TensorCore

extension Gemma3Model: HFCheckpointTensors {
    /// `model.*` under transformers' names; norm weights w as transformers stores them (applied as
    /// 1 + w; llama.cpp's GGUF stores 1 + w, undone on load). The head is tied: no `lm_head`.
    public func hfTensors() -> [(name: String, tensor: Tensor)] {
        var t: [(String, Tensor)] = [("model.embed_tokens.weight", embedding)]
        for block in blocks {
            let p = "model.layers.\(block.index)."
            t += [(p + "input_layernorm.weight", block.inputNorm), (p + "post_attention_layernorm.weight", block.postAttentionNorm),
                  (p + "pre_feedforward_layernorm.weight", block.preFeedforwardNorm),
                  (p + "post_feedforward_layernorm.weight", block.postFeedforwardNorm),
                  (p + "self_attn.q_norm.weight", block.queryNorm), (p + "self_attn.k_norm.weight", block.keyNorm)]
            t += block.linears.flatMap(\.namedTensors)
        }
        t.append(("model.norm.weight", finalNorm))
        return t.map { (name: $0.0, tensor: $0.1) }
    }
}
