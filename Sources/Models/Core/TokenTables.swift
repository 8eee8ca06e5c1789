import TensorCore

/// The token embedding and the LM head of a model under their Hugging Face module names: what a
/// recipe's optional embedding / LM-head quantization changes (in place, so a tied head — the
/// embedding itself — changes with it).
public protocol TokenTableModel: BlockwiseLanguageModel {
    /// The input token embedding (vocab, d) and its module name (`model.embed_tokens`).
    var embeddingTable: (name: String, table: WeightMatrix) { get }
    /// The LM head's module name (`lm_head`; the embedding's when tied) and the head.
    var headTable: (name: String, head: LogitHead) { get }
}

extension TokenTableModel {
    /// Whether the head computes with the embedding's own storage.
    public var headIsTied: Bool { headTable.head.table === embeddingTable.table }
}

extension LlamaModel: TokenTableModel {
    public var embeddingTable: (name: String, table: WeightMatrix) { ("model.embed_tokens", tokenTable) }
    public var headTable: (name: String, head: LogitHead) { (headIsTiedToEmbedding ? "model.embed_tokens" : "lm_head", head) }
}

extension Gemma3Model: TokenTableModel {
    public var embeddingTable: (name: String, table: WeightMatrix) { ("model.embed_tokens", tokenTable) }
    public var headTable: (name: String, head: LogitHead) { ("model.embed_tokens", head) }
}

extension GPT2Model: TokenTableModel {
    public var embeddingTable: (name: String, table: WeightMatrix) { ("transformer.wte", tokenTable) }
    public var headTable: (name: String, head: LogitHead) { (untiedHead ? "lm_head" : "transformer.wte", head) }
}

extension OPTModel: TokenTableModel {
    public var embeddingTable: (name: String, table: WeightMatrix) { ("model.decoder.embed_tokens", tokenTable) }
    public var headTable: (name: String, head: LogitHead) { (untiedHead ? "lm_head" : "model.decoder.embed_tokens", head) }
}

extension BloomModel: TokenTableModel {
    public var embeddingTable: (name: String, table: WeightMatrix) { ("transformer.word_embeddings", tokenTable) }
    public var headTable: (name: String, head: LogitHead) { (untiedHead ? "lm_head" : "transformer.word_embeddings", head) }
}

extension GPTNeoXModel: TokenTableModel {
    public var embeddingTable: (name: String, table: WeightMatrix) { ("gpt_neox.embed_in", tokenTable) }
    public var headTable: (name: String, head: LogitHead) { (untiedHead ? "embed_out" : "gpt_neox.embed_in", head) }
}
