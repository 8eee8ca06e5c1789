/// Everything that defines a SentencePiece-style tokenizer (llama.cpp's "llama" vocabulary type:
/// Llama 1/2, Gemma), as plain values. The GGUF loader produces one; `Tokenizer.init(_:)`
/// validates it and builds the tables.
public struct SentencePieceDefinition: Sendable {
    /// File (or other origin) named in errors.
    public var source: String
    /// Vocabulary strings by id, spaces written as ▁ (U+2581) in normal tokens.
    public var tokens: [String]
    /// Merge priority of each token (higher merges first).
    public var scores: [Float]
    /// Kind of each token (same count as `tokens`); empty means all normal.
    public var tokenKinds: [TokenKind]
    public var bosTokenId: Int32?
    public var eosTokenId: Int32?
    public var unknownTokenId: Int32?
    /// Put a space before text that starts the input or follows a special token (llama.cpp's
    /// `add_space_prefix`: true for Llama 2, false for Gemma).
    public var addsSpacePrefix: Bool
    /// Tokens `encode(addSpecial: true)` puts before / after the text.
    public var prefixTokens: [Int32]
    public var suffixTokens: [Int32]

    public init(
        source: String, tokens: [String], scores: [Float], tokenKinds: [TokenKind] = [], bosTokenId: Int32? = nil,
        eosTokenId: Int32? = nil, unknownTokenId: Int32? = nil, addsSpacePrefix: Bool,
        prefixTokens: [Int32] = [], suffixTokens: [Int32] = []
    ) {
        self.source = source
        self.tokens = tokens
        self.scores = scores
        self.tokenKinds = tokenKinds
        self.bosTokenId = bosTokenId
        self.eosTokenId = eosTokenId
        self.unknownTokenId = unknownTokenId
        self.addsSpacePrefix = addsSpacePrefix
        self.prefixTokens = prefixTokens
        self.suffixTokens = suffixTokens
    }
}
