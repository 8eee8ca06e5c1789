import Foundation
import ModelFormats

/// A byte-level BPE tokenizer (GPT-2 family: GPT-2, Llama 3, Qwen 2, SmolLM, …).
///
/// Encoding: special/added tokens are cut out of the input first (leftmost-longest match), each
/// remaining fragment is split into pre-tokens by the model's regex family, and every pre-token's
/// UTF-8 bytes are merged by BPE rank. Decoding concatenates token bytes and reads them as UTF-8.
/// Immutable after loading, so one instance can be used from many threads.
public final class Tokenizer: Sendable {
    /// e.g. "byte-level BPE, pre=smollm, 49152 tokens".
    public let kind: String
    public let preTokenizerKind: PreTokenizerKind
    /// Number of token ids (the embedding rows a model needs at least).
    public let vocabularySize: Int
    public let bosTokenId: Int32?
    public let eosTokenId: Int32?
    /// Whether `encode(addSpecial: true)` starts with the BOS token / ends with the EOS token.
    public let addsBos: Bool
    public let addsEos: Bool

    private let model: BPEModel
    private let preTokenizer: PreTokenizer
    private let specialTokens: SpecialTokenMatcher
    private let tokenBytes: TokenTable
    private let tokens: [String]
    private let tokenKinds: [TokenKind]
    private let prefixTokens: [Int32]
    private let suffixTokens: [Int32]
    private let normalizesToNFC: Bool

    /// Builds the tokenizer; throws `FormatError` naming `definition.source` for inconsistent input.
    public init(_ definition: ByteLevelBPEDefinition) throws {
        let source = definition.source
        let count = definition.tokens.count
        guard count > 0 else { throw FormatError(file: source, field: "tokens", "the vocabulary is empty") }
        let kinds = definition.tokenKinds.isEmpty ? [TokenKind](repeating: .normal, count: count) : definition.tokenKinds
        guard kinds.count == count else {
            throw FormatError(file: source, field: "token types",
                              "\(kinds.count) token types for \(count) tokens")
        }
        func checkId(_ id: Int32?, _ field: String) throws {
            if let id, !(0..<Int32(count)).contains(id) {
                throw FormatError(file: source, field: field, "token id \(id) is outside the vocabulary (0..<\(count))")
            }
        }
        try checkId(definition.bosTokenId, "bos token")
        try checkId(definition.eosTokenId, "eos token")
        for id in definition.prefixTokens + definition.suffixTokens { try checkId(id, "added BOS/EOS tokens") }

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
        do {
            model = try BPEModel(vocabulary: vocabulary, merges: definition.merges, ignoreMerges: definition.ignoreMerges)
        } catch {
            let (left, right) = definition.merges[error.mergeIndex]
            throw FormatError(file: source, field: "\(definition.mergesField)[\(error.mergeIndex)]",
                              "merge '\(left) \(right)' names '\(error.token)', which is not in the vocabulary")
        }

        preTokenizerKind = definition.preTokenizer
        preTokenizer = PreTokenizer(kind: definition.preTokenizer)
        specialTokens = specials
        tokenBytes = TokenTable(tokens: definition.tokens, kinds: kinds)
        tokens = definition.tokens
        tokenKinds = kinds
        vocabularySize = count
        bosTokenId = definition.bosTokenId
        eosTokenId = definition.eosTokenId
        prefixTokens = definition.prefixTokens
        suffixTokens = definition.suffixTokens
        addsBos = definition.bosTokenId.map { definition.prefixTokens.first == $0 } ?? false
        addsEos = definition.eosTokenId.map { definition.suffixTokens.last == $0 } ?? false
        normalizesToNFC = definition.normalizesToNFC
        kind = "byte-level BPE, pre=\(definition.preTokenizer.rawValue), \(count) tokens"
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
        var session = EncodingSession(model: model, preTokenizer: preTokenizer)
        for fragment in fragments {
            switch fragment {
            case .text(let range): session.encode(bytes, range: range, into: &output)
            case .token(let id): output.append(id)
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
    public func decodeBytes(_ ids: [Int32], skipSpecial: Bool = false) -> [UInt8] {
        var bytes: [UInt8] = []
        for id in ids where id >= 0 && Int(id) < vocabularySize {
            if skipSpecial, tokenKinds[Int(id)].needsParseSpecial { continue }
            tokenBytes.append(Int(id), to: &bytes)
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

    /// The id of a vocabulary string (byte-level form for normal tokens, raw text for specials).
    public func tokenId(_ string: String) -> Int32? { model.vocabulary[string] }
}
