import Models
import TensorCore

/// What follows the last block of a model, as the logit-distillation pass needs it: the final
/// norm, the LM head (vocab, d) and Gemma's optional final soft-capping. Read from the loaded
/// model; nothing here is trained.
public struct OutputHeadWeights {
    public enum Norm {
        /// rmsnorm(x) · (offset + weight): offset 0 for Llama-style models, 1 for Gemma.
        case rms(weight: [Float], offset: Float, eps: Float)
        /// (x − μ)/σ · weight + bias.
        case layer(weight: [Float], bias: [Float], eps: Float)
    }

    /// nil: the last block's output goes to the head as it is (OPT with post-LayerNorm blocks).
    public let norm: Norm?
    /// (vocab, d); the token embedding when the head is tied.
    public let head: Tensor
    /// logits ← cap · tanh(logits / cap) when set.
    public let softCap: Float?

    public init(norm: Norm?, head: Tensor, softCap: Float? = nil) {
        precondition(head.shape.count == 2, "the LM head is a (vocab, d) matrix")
        self.norm = norm; self.head = head; self.softCap = softCap
    }

    public var vocabularySize: Int { head.shape[0] }
    public var hiddenSize: Int { head.shape[1] }
}

extension OutputHeadWeights.Norm {
    static func layer(_ w: LayerNormWeights) -> Self {
        .layer(weight: Array(UnsafeBufferPointer(start: w.weight.pointer, count: w.weight.count)),
               bias: Array(UnsafeBufferPointer(start: w.bias.pointer, count: w.bias.count)), eps: w.eps)
    }

    static func rms(_ t: Tensor, offset: Float, eps: Float) -> Self {
        .rms(weight: Array(UnsafeBufferPointer(start: t.pointer, count: t.count)), offset: offset, eps: eps)
    }
}
