/// Everything that defines a byte-level BPE tokenizer, as plain values. The GGUF and
/// tokenizer.json loaders produce one; `Tokenizer.init(_:)` validates it and builds the tables.
public struct ByteLevelBPEDefinition: Sendable {
    /// File (or other origin) named in errors.
    public var source: String
    /// Vocabulary strings by id: byte-level form for normal tokens, raw text for special/added ones.
    public var tokens: [String]
    /// Kind of each token (same count as `tokens`); empty means all normal.
    public var tokenKinds: [TokenKind]
    /// Merge pairs in rank order (lowest rank merges first).
    public var merges: [(String, String)]
    /// Field holding the merges, named in errors (`tokenizer.ggml.merges`, `model.merges`).
    public var mergesField: String
    public var preTokenizer: PreTokenizerKind
    /// Emit a pre-token that is itself a vocabulary entry without merging (Llama 3 `ignore_merges`).
    public var ignoreMerges: Bool
    /// Apply Unicode NFC to input text first (HF `normalizer: NFC`, e.g. Qwen 2 tokenizer.json).
    public var normalizesToNFC: Bool
    public var bosTokenId: Int32?
    public var eosTokenId: Int32?
    /// Tokens `encode(addSpecial: true)` puts before / after the text (e.g. `[bos]`, `[]`).
    public var prefixTokens: [Int32]
    public var suffixTokens: [Int32]
    /// Added tokens whose match swallows whitespace to their left / right (HF `lstrip` / `rstrip`).
    public var leftStrippingTokens: Set<Int32>
    public var rightStrippingTokens: Set<Int32>

    public init(
        source: String, tokens: [String], tokenKinds: [TokenKind] = [], merges: [(String, String)],
        mergesField: String = "merges", preTokenizer: PreTokenizerKind, ignoreMerges: Bool = false,
        normalizesToNFC: Bool = false, bosTokenId: Int32? = nil, eosTokenId: Int32? = nil,
        prefixTokens: [Int32] = [], suffixTokens: [Int32] = [],
        leftStrippingTokens: Set<Int32> = [], rightStrippingTokens: Set<Int32> = []
    ) {
        self.source = source
        self.tokens = tokens
        self.tokenKinds = tokenKinds
        self.merges = merges
        self.mergesField = mergesField
        self.preTokenizer = preTokenizer
        self.ignoreMerges = ignoreMerges
        self.normalizesToNFC = normalizesToNFC
        self.bosTokenId = bosTokenId
        self.eosTokenId = eosTokenId
        self.prefixTokens = prefixTokens
        self.suffixTokens = suffixTokens
        self.leftStrippingTokens = leftStrippingTokens
        self.rightStrippingTokens = rightStrippingTokens
    }
}
