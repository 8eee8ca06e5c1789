import TensorCore

extension LlamaModel: HFCheckpointTensors {
    /// `model.*` under transformers' names (Q/K rows in HF order: the GGUF permutation is undone on
    /// load); `lm_head.weight` only when the head is a tensor of its own.
    public func hfTensors() -> [(name: String, tensor: Tensor)] {
        var t: [(String, Tensor)] = [("model.embed_tokens.weight", embedding)]
        for block in blocks {
            let p = "model.layers.\(block.index)."
            t += [(p + "input_layernorm.weight", block.inputNorm), (p + "post_attention_layernorm.weight", block.postAttentionNorm)]
            t += block.linears.flatMap(\.namedTensors)
        }
        t.append(("model.norm.weight", finalNorm))
        if !headIsTiedToEmbedding { t.append(("lm_head.weight", lmHead)) }
        return t.map { (name: $0.0, tensor: $0.1) }
    }
}
