import TensorCore

/// What evaluation and quantization need from any decoder-only model.
public protocol CausalLanguageModel: AnyObject, Sendable {
    /// e.g. "llama", "qwen2"
    var architecture: String { get }
    var vocabularySize: Int { get }
    /// Longest window the model accepts (its trained context).
    var maxContext: Int { get }
    /// Every linear layer inside the transformer blocks, in execution order.
    var linearLayers: [Linear] { get }
    /// Number of transformer blocks.
    var blockCount: Int { get }

    /// Runs `windows` (each the same length T) and hands the logits back in row chunks:
    /// `logits(firstRow, rowCount, values)` with values (rowCount, vocab), row = window·T + t.
    /// The chunk is valid only during the call.
    func forward(
        windows: [[Int32]], observer: LinearInputObserver?,
        logits: (_ firstRow: Int, _ rows: Int, _ values: UnsafePointer<Float>) -> Void
    ) throws
}

public struct ModelInputError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
