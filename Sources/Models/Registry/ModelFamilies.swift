/// The family table: every architecture PTQLab runs, one row per code path. Loading, `inspect`
/// and export look families up here and nowhere else; a new family is its folder under
/// Sources/Models plus one row.
public enum ModelFamilies {
    /// Every row, in the order the supported names are listed.
    public static let all: [ModelFamily] = [llama, gemma3, opt, bloom, gpt2, gptNeoX]

    /// Llama 1–3, SmolLM2, Mistral, Qwen2 (Models/Llama).
    public static let llama = ModelFamily(
        name: "Llama",
        members: [
            .init("llama", gguf: "llama", modelType: "llama", hfClass: "LlamaForCausalLM",
                  summary: "Llama (LlamaModel)", ggufQuirks: [.permutedQK]),
            .init("mistral", gguf: "mistral", modelType: "mistral", hfClass: "MistralForCausalLM",
                  summary: "Mistral (LlamaModel, sliding window)", ggufQuirks: [.permutedQK, .slidingWindow]),
            .init("qwen2", gguf: "qwen2", modelType: "qwen2", hfClass: "Qwen2ForCausalLM",
                  summary: "Qwen2 (LlamaModel, q/k/v biases)"),
        ],
        gguf: LlamaFamily.gguf, hf: LlamaFamily.hf)

    /// Gemma 3 text decoders (Models/Gemma3).
    public static let gemma3 = ModelFamily(
        name: "Gemma 3",
        members: [
            .init("gemma3", gguf: "gemma3", modelType: "gemma3_text", hfClass: "Gemma3ForCausalLM",
                  summary: "Gemma 3 (Gemma3Model: sandwich norms, QK-norm, GeGLU, local/global attention)"),
        ],
        gguf: Gemma3Family.gguf, hf: Gemma3Family.hf)

    /// OPT (Models/OPT).
    public static let opt = ModelFamily(
        name: "OPT",
        members: [
            .init("opt", modelType: "opt", hfClass: "OPTForCausalLM",
                  summary: "OPT (OPTModel: LayerNorm, learned positions at offset 2, ReLU MLP)"),
        ],
        gguf: nil, hf: OPTFamily.hf)

    /// BLOOM (Models/Bloom).
    public static let bloom = ModelFamily(
        name: "BLOOM",
        members: [
            .init("bloom", modelType: "bloom", hfClass: "BloomForCausalLM",
                  summary: "BLOOM (BloomModel: ALiBi, embedding LayerNorm, fused per-head q/k/v, GELU-tanh)"),
        ],
        gguf: nil, hf: BloomFamily.hf)

    /// GPT-2 (Models/GPT2).
    public static let gpt2 = ModelFamily(
        name: "GPT-2",
        members: [
            .init("gpt2", modelType: "gpt2", hfClass: "GPT2LMHeadModel",
                  summary: "GPT-2 (GPT2Model: Conv1D weights transposed on load, learned positions, gelu_new)"),
        ],
        gguf: nil, hf: GPT2Family.hf)

    /// GPT-NeoX and Pythia (Models/GPTNeoX).
    public static let gptNeoX = ModelFamily(
        name: "GPT-NeoX",
        members: [
            .init("gpt_neox", modelType: "gpt_neox", hfClass: "GPTNeoXForCausalLM",
                  summary: "GPT-NeoX / Pythia (GPTNeoXModel: partial rotary, parallel residual, fused per-head q/k/v)"),
        ],
        gguf: nil, hf: GPTNeoXFamily.hf)
}
