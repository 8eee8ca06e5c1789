import TensorCore

/// A model that can hand back its parameters under Hugging Face names and layouts (Conv1D weights
/// transposed back, tied heads left out): what writing an HF safetensors directory needs. The
/// tensors are the model's current ones, so a quantized model writes its dequantized weights.
public protocol HFCheckpointTensors {
    /// transformers' `model_type` of this checkpoint ("llama", "opt", "gpt_neox", …).
    var hfModelType: String { get }
    /// Every parameter under its HF name, in checkpoint order.
    func hfTensors() -> [(name: String, tensor: Tensor)]
}

extension HFCheckpointTensors where Self: CausalLanguageModel {
    /// The `model_type` the family table gives this model's architecture.
    public var hfModelType: String { ModelFamilies.member(architecture: architecture)?.modelType ?? architecture }
}
