import Foundation
import ModelFormats

/// A tokenizer: byte-level BPE (GPT-2 family: GPT-2, Llama 3, Qwen 2, SmolLM, …) or
/// SentencePiece-style BPE (llama.cpp's "llama" vocabularies: Llama 2, Gemma).
///
/// Encoding: special/added tokens are cut out of the input first (leftmost-longest match); each
/// remaining fragment is then, for byte-level BPE, split into pre-tokens by the model's regex family
/// and every pre-token's UTF-8 bytes merged by BPE rank; for SentencePiece, its spaces are written
/// as ▁ (after an optional leading space) and its characters merged by token score, with byte
/// fallback. Decoding concatenates token bytes and reads them as UTF-8.
/// Immutable after loading, so one instance can be used from many threads.
public final class Tokenizer: Sendable {
    /// e.g. "byte-level BPE, pre=smollm, 49152 tokens".
    public let kind: String
    /// The byte-level pre-tokenizer family (nil for SentencePiece).
    public let preTokenizerKind: PreTokenizerKind?
    /// Number of token ids (the embedding rows a model needs at least).
    public let vocabularySize: Int
    public let bosTokenId: Int32?
    public let eosTokenId: Int32?
    /// Whether `encode(addSpecial: true)` starts with the BOS token / ends with the EOS token.
    public let addsBos: Bool
    public let addsEos: Bool

    /// How text fragments between special tokens become ids.
    enum Algorithm: Sendable {
        case byteLevelBPE(BPEModel, PreTokenizer)
        /// `addsSpacePrefix`: a space goes before a fragment at the start or after a special token.
        case sentencePiece(SentencePieceModel, addsSpacePrefix: Bool)
    }

    private let algorithm: Algorithm
    private let vocabulary: [String: Int32]
    private let specialTokens: SpecialTokenMatcher
    private let tokenBytes: TokenTable
    private let tokens: [String]
    private let tokenKinds: [TokenKind]
    private let prefixTokens: [Int32]
    private let suffixTokens: [Int32]
    private let normalizesToNFC: Bool

    init(kind: String, algorithm: Algorithm, vocabulary: [String: Int32], specialTokens: SpecialTokenMatcher,
         tokens: [String], tokenKinds: [TokenKind], bosTokenId: Int32?, eosTokenId: Int32?,
         prefixTokens: [Int32], suffixTokens: [Int32], normalizesToNFC: Bool) {
        self.kind = kind
        self.algorithm = algorithm
        if case .byteLevelBPE(_, let pre) = algorithm { preTokenizerKind = pre.kind } else { preTokenizerKind = nil }
        self.vocabulary = vocabulary
        self.specialTokens = specialTokens
        let sentencePiece = if case .sentencePiece = algorithm { true } else { false }
        tokenBytes = TokenTable(tokens: tokens, kinds: tokenKinds, spacesAsMarker: sentencePiece)
        self.tokens = tokens
        self.tokenKinds = tokenKinds
        vocabularySize = tokens.count
        self.bosTokenId = bosTokenId
        self.eosTokenId = eosTokenId
        self.prefixTokens = prefixTokens
        self.suffixTokens = suffixTokens
        addsBos = bosTokenId.map { prefixTokens.first == $0 } ?? false
        addsEos = eosTokenId.map { suffixTokens.last == $0 } ?? false
        self.normalizesToNFC = normalizesToNFC
    }

    /// Builds a byte-level BPE tokenizer; throws `FormatError` naming `definition.source` for
    /// inconsistent input.
    public convenience init(_ definition: ByteLevelBPEDefinition) throws {
        let source = definition.source
        let count = definition.tokens.count
        guard count > 0 else { throw FormatError(file: source, field: "tokens", "the vocabulary is empty") }
        let kinds = try Self.checkedKinds(definition.tokenKinds, count: count, source: source)
        try Self.checkIds(bos: definition.bosTokenId, eos: definition.eosTokenId,
                          added: definition.prefixTokens + definition.suffixTokens, count: count, source: source)

        var vocabulary: [String: Int32] = [:]
        vocabulary.reserveCapacity(count)
        var specials = SpecialTokenMatcher()
        for (index, token) in definition.tokens.enumerated() where !token.isEmpty {
            let id = Int32(index)
            let kind = kinds[index]
            // Normal tokens take precedence when an added token repeats a vocabulary string.
            if kind == .normal || vocabulary[token] == nil { vocabulary[token] = id }
            if kind.isMatchedInText {
                specials.add(token, id: id, needsParseSpecial: kind.needsParseSpecial,
                             lstrip: definition.leftStrippingTokens.contains(id),
                             rstrip: definition.rightStrippingTokens.contains(id))
            }
        }
        let model: BPEModel
        do {
            model = try BPEModel(vocabulary: vocabulary, merges: definition.merges, ignoreMerges: definition.ignoreMerges)
        } catch {
            let (left, right) = definition.merges[error.mergeIndex]
            throw FormatError(file: source, field: "\(definition.mergesField)[\(error.mergeIndex)]",
                              "merge '\(left) \(right)' names '\(error.token)', which is not in the vocabulary")
        }
        self.init(kind: "byte-level BPE, pre=\(definition.preTokenizer.rawValue), \(count) tokens",
                  algorithm: .byteLevelBPE(model, PreTokenizer(kind: definition.preTokenizer)),
                  vocabulary: vocabulary, specialTokens: specials, tokens: definition.tokens, tokenKinds: kinds,
                  bosTokenId: definition.bosTokenId, eosTokenId: definition.eosTokenId,
                  prefixTokens: definition.prefixTokens, suffixTokens: definition.suffixTokens,
                  normalizesToNFC: definition.normalizesToNFC)
    }

    /// Token kinds checked against the vocabulary size (all normal when none are given).
    static func checkedKinds(_ kinds: [TokenKind], count: Int, source: String) throws -> [TokenKind] {
        let kinds = kinds.isEmpty ? [TokenKind](repeating: .normal, count: count) : kinds
        guard kinds.count == count else {
            throw FormatError(file: source, field: "token types", "\(kinds.count) token types for \(count) tokens")
        }
        return kinds
    }

    static func checkIds(bos: Int32?, eos: Int32?, added: [Int32], count: Int, source: String) throws {
        func check(_ id: Int32?, _ field: String) throws {
            if let id, !(0..<Int32(count)).contains(id) {
                throw FormatError(file: source, field: field, "token id \(id) is outside the vocabulary (0..<\(count))")
            }
        }
        try check(bos, "bos token")
        try check(eos, "eos token")
        for id in added { try check(id, "added BOS/EOS tokens") }
    }

    /// Token ids of `text`.
    /// - Parameters:
    ///   - addSpecial: add the model's BOS/EOS tokens (when it adds them, see `addsBos`/`addsEos`).
    ///   - parseSpecial: recognise control tokens such as `<|im_start|>` written in the text;
    ///     otherwise they are tokenized as plain text. User-defined added tokens are always recognised.
    public func encode(_ text: String, addSpecial: Bool = true, parseSpecial: Bool = false) -> [Int32] {
        let input = normalizesToNFC ? text.precomposedStringWithCanonicalMapping : text
        let bytes = Array(input.utf8)
        var output: [Int32] = addSpecial ? prefixTokens : []
        output.reserveCapacity(output.count + bytes.count / 3 + 2)

        let fragments = bytes.withUnsafeBufferPointer { specialTokens.partition($0, parseSpecial: parseSpecial) }
        switch algorithm {
        case let .byteLevelBPE(model, preTokenizer):
            var session = EncodingSession(model: model, preTokenizer: preTokenizer)
            for fragment in fragments {
                switch fragment {
                case .text(let range): session.encode(bytes, range: range, into: &output)
                case .token(let id): output.append(id)
                }
            }
        case let .sentencePiece(model, addsSpacePrefix):
            // As llama.cpp: the first fragment and every fragment after a special token get the
            // space prefix (when the vocabulary asks for it); spaces become ▁ (E2 96 81).
            var afterSpecial = true
            for fragment in fragments {
                switch fragment {
                case .text(let range):
                    var text: [UInt8] = []
                    text.reserveCapacity(range.count + 3)
                    if addsSpacePrefix && afterSpecial { text += [0xE2, 0x96, 0x81] }
                    for byte in bytes[range] {
                        if byte == 0x20 { text += [0xE2, 0x96, 0x81] } else { text.append(byte) }
                    }
                    model.encode(text, into: &output)
                    afterSpecial = false
                case .token(let id):
                    output.append(id)
                    afterSpecial = true
                }
            }
        }
        if addSpecial { output.append(contentsOf: suffixTokens) }
        return output
    }

    /// Text of `ids`. Invalid UTF-8 (e.g. a cut multi-byte character) becomes U+FFFD; ids outside
    /// the vocabulary are ignored.
    /// - Parameter skipSpecial: leave out control and unknown tokens (BOS, EOS, chat markers).
    public func decode(_ ids: [Int32], skipSpecial: Bool = false) -> String {
        String(decoding: decodeBytes(ids, skipSpecial: skipSpecial), as: UTF8.self)
    }

    /// Raw bytes of `ids` (a single token may be part of a multi-byte character).
    /// With a SentencePiece space prefix, the space `encode` put before the text (at the start and
    /// after each special token) is taken out again.
    public func decodeBytes(_ ids: [Int32], skipSpecial: Bool = false) -> [UInt8] {
        var stripsPrefix = false
        if case .sentencePiece(_, true) = algorithm { stripsPrefix = true }
        var bytes: [UInt8] = []
        var afterSpecial = true
        for id in ids where id >= 0 && Int(id) < vocabularySize {
            let kind = tokenKinds[Int(id)]
            if kind.isMatchedInText {
                afterSpecial = true
                if skipSpecial, kind.needsParseSpecial { continue }
                tokenBytes.append(Int(id), to: &bytes)
                continue
            }
            let start = bytes.count
            tokenBytes.append(Int(id), to: &bytes)
            if stripsPrefix && afterSpecial && bytes.count > start && bytes[start] == 0x20 { bytes.remove(at: start) }
            afterSpecial = false
        }
        return bytes
    }

    /// The vocabulary string of a token (byte-level form for normal tokens), or nil if out of range.
    public func tokenString(_ id: Int32) -> String? {
        id >= 0 && Int(id) < vocabularySize ? tokens[Int(id)] : nil
    }

    /// The kind of a token, or nil if out of range.
    public func tokenKind(_ id: Int32) -> TokenKind? {
        id >= 0 && Int(id) < vocabularySize ? tokenKinds[Int(id)] : nil
    }

    /// The id of a vocabulary string (byte-level or ▁ form for normal tokens, raw text for specials).
    public func tokenId(_ string: String) -> Int32? { vocabulary[string] }
}
