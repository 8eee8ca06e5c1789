import ModelFormats

extension GGUFTokenizerMetadata {
    /// A SentencePiece-style vocabulary (`tokenizer.ggml.model` "llama"): tokens with scores and
    /// types. Defaults are llama.cpp's for this vocabulary type: BOS 1, EOS 2, UNK 0, BOS added,
    /// EOS not, space prefix added (Gemma's files turn it off with `add_space_prefix` false).
    func sentencePieceDefinition() throws -> SentencePieceDefinition {
        let tokens = try strings("tokenizer.ggml.tokens")
        guard !tokens.isEmpty else { throw error("tokenizer.ggml.tokens", "the vocabulary is empty") }
        let scoresKey = "tokenizer.ggml.scores"
        var scores = [Float](repeating: 0, count: tokens.count)
        if let value = file.metadata[scoresKey] {
            guard let array = value.asFloatArray else { throw error(scoresKey, "expected an array of numbers") }
            guard array.count == tokens.count else {
                throw error(scoresKey, "\(array.count) scores for \(tokens.count) tokens")
            }
            scores = array
        }
        let kinds = try tokenKinds(count: tokens.count)
        func id(_ key: String, default value: Int32) throws -> Int32? {
            guard file.metadata[key] != nil else { return Int(value) < tokens.count ? value : nil }
            return try tokenId(key, count: tokens.count)
        }
        let bos = try id("tokenizer.ggml.bos_token_id", default: 1)
        let eos = try id("tokenizer.ggml.eos_token_id", default: 2)
        let unk = try id("tokenizer.ggml.unknown_token_id", default: 0)
        let addBos = try optionalBool("tokenizer.ggml.add_bos_token") ?? true
        let addEos = try optionalBool("tokenizer.ggml.add_eos_token") ?? false
        if addBos, bos == nil {
            throw error("tokenizer.ggml.bos_token_id", "missing, but the tokenizer adds a BOS token")
        }
        if addEos, eos == nil {
            throw error("tokenizer.ggml.eos_token_id", "missing, but tokenizer.ggml.add_eos_token asks for an EOS token")
        }
        return SentencePieceDefinition(
            source: file.path, tokens: tokens, scores: scores, tokenKinds: kinds, bosTokenId: bos, eosTokenId: eos,
            unknownTokenId: unk, addsSpacePrefix: try optionalBool("tokenizer.ggml.add_space_prefix") ?? true,
            prefixTokens: addBos ? bos.map { [$0] } ?? [] : [],
            suffixTokens: addEos ? eos.map { [$0] } ?? [] : [])
    }
}

extension Tokenizer {
    /// Builds a SentencePiece-style tokenizer; throws `FormatError` naming `definition.source` for
    /// inconsistent input.
    public convenience init(_ definition: SentencePieceDefinition) throws {
        let source = definition.source
        let count = definition.tokens.count
        guard count > 0 else { throw FormatError(file: source, field: "tokens", "the vocabulary is empty") }
        guard definition.scores.count == count else {
            throw FormatError(file: source, field: "scores", "\(definition.scores.count) scores for \(count) tokens")
        }
        let kinds = try Self.checkedKinds(definition.tokenKinds, count: count, source: source)
        try Self.checkIds(bos: definition.bosTokenId, eos: definition.eosTokenId,
                          added: definition.prefixTokens + definition.suffixTokens + (definition.unknownTokenId.map { [$0] } ?? []),
                          count: count, source: source)
        var vocabulary: [String: Int32] = [:]
        vocabulary.reserveCapacity(count)
        var specials = SpecialTokenMatcher()
        for (index, token) in definition.tokens.enumerated() where !token.isEmpty {
            let id = Int32(index)
            vocabulary[token] = id  // the last of repeated strings wins, as in llama.cpp
            if kinds[index].isMatchedInText {
                specials.add(token, id: id, needsParseSpecial: kinds[index].needsParseSpecial)
            }
        }
        let model = SentencePieceModel(tokens: definition.tokens, scores: definition.scores,
                                       unknownTokenId: definition.unknownTokenId)
        self.init(kind: "SentencePiece BPE (scores, byte fallback\(definition.addsSpacePrefix ? ", space prefix" : "")), \(count) tokens",
                  algorithm: .sentencePiece(model, addsSpacePrefix: definition.addsSpacePrefix),
                  vocabulary: vocabulary, specialTokens: specials, tokens: definition.tokens, tokenKinds: kinds,
                  bosTokenId: definition.bosTokenId, eosTokenId: definition.eosTokenId,
                  prefixTokens: definition.prefixTokens, suffixTokens: definition.suffixTokens, normalizesToNFC: false)
    }
}
