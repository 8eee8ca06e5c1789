import Foundation
import ModelFormats

/// A byte-level BPE tokenizer as llama.cpp's `tokenizer.ggml.*` metadata (what its converter
/// writes from a tokenizer.json): the inverse of `GGUFTokenizerMetadata.definition()`, so that
/// `Tokenizer.fromGGUF` on the written keys encodes as the tokenizer.json does.
///
///     tokenizer.ggml.model        "gpt2"
///     tokenizer.ggml.pre          the regex family's llama.cpp name (gpt-2, smollm, qwen2, llama-bpe, smaug-bpe)
///     tokenizer.ggml.tokens       [string] by id
///     tokenizer.ggml.token_type   [i32] 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte
///     tokenizer.ggml.merges       ["left right"] in rank order
///     tokenizer.ggml.bos/eos/padding/unknown_token_id, add_bos_token, add_eos_token
///     tokenizer.chat_template
public enum GGUFTokenizerMetadataWriter {
    /// The entries of a tokenizer.json, with tokenizer_config.json beside it when present (its chat
    /// template — a string, or transformers' list of named templates: the "default" one — and its
    /// pad / unknown tokens). As llama.cpp's converter does, ids the tokenizer leaves empty below
    /// `vocabularySize` become "[PAD<id>]" tokens of type unused (5), and so do such tokens already
    /// in the vocabulary (how they come back from a GGUF through tokenizer.json).
    public static func entries(tokenizerJSON path: String, vocabularySize: Int? = nil) throws -> [(key: String, value: GGUFValue)] {
        let loader = TokenizerJSONLoader(path: path)
        var definition = try loader.definition()
        if definition.tokenKinds.isEmpty { definition.tokenKinds = Array(repeating: .normal, count: definition.tokens.count) }
        for id in definition.tokens.count..<max(vocabularySize ?? 0, definition.tokens.count) {
            definition.tokens.append("[PAD\(id)]")
            definition.tokenKinds.append(.unused)
        }
        for (id, token) in definition.tokens.enumerated() where token == "[PAD\(id)]" { definition.tokenKinds[id] = .unused }
        let config = try loader.sideConfig()
        let ids = Dictionary(definition.tokens.enumerated().map { ($1, Int32($0)) }, uniquingKeysWith: { a, _ in a })
        func id(_ key: String) throws -> Int32? {
            guard let value = config[key], !(value is NSNull) else { return nil }
            guard let name = TokenizerJSONLoader.tokenName(value) else {
                throw FormatError(file: loader.configPath, field: key, "expected a token string or {\"content\": …}")
            }
            guard let id = ids[name] else {
                throw FormatError(file: loader.configPath, field: key, "token '\(MessageExcerpt.of(name))' is not in \(path)")
            }
            return id
        }
        var template = config["chat_template"] as? String
        if template == nil, let named = config["chat_template"] as? [[String: Any]] {
            template = named.first { $0["name"] as? String == "default" }?["template"] as? String
        }
        return try entries(definition, chatTemplate: template, paddingTokenId: id("pad_token"), unknownTokenId: id("unk_token"))
    }

    /// llama.cpp's pre-tokenizer name for a regex family.
    static func preTokenizerName(_ d: ByteLevelBPEDefinition) -> String {
        switch d.preTokenizer {
        case .gpt2: "gpt-2"
        case .smollm: "smollm"
        case .qwen2: "qwen2"
        case .llama3: d.ignoreMerges ? "llama-bpe" : "smaug-bpe"
        }
    }

    /// The metadata entries, in llama.cpp's order. `chatTemplate`, `paddingTokenId` and
    /// `unknownTokenId` come from tokenizer_config.json.
    public static func entries(_ d: ByteLevelBPEDefinition, chatTemplate: String? = nil,
                               paddingTokenId: Int32? = nil, unknownTokenId: Int32? = nil) throws -> [(key: String, value: GGUFValue)] {
        if d.normalizesToNFC, d.preTokenizer != .qwen2 {
            // llama.cpp normalizes nothing; Qwen2's NFC is harmless there (its vocabulary is NFC)
            throw FormatError(file: d.source, field: "normalizer", "an NFC normalizer has no llama.cpp form for the \(preTokenizerName(d)) pre-tokenizer")
        }
        if d.prefixTokens.count > 1 || d.suffixTokens.count > 1
            || (d.prefixTokens.first.map { $0 != d.bosTokenId } ?? false) || (d.suffixTokens.first.map { $0 != d.eosTokenId } ?? false) {
            throw FormatError(file: d.source, field: "post_processor",
                              "llama.cpp adds at most BOS before and EOS after the text; this tokenizer adds other tokens")
        }
        let types: [GGUFValue] = d.tokens.indices.map { id in
            let kind = d.tokenKinds.isEmpty ? .normal : d.tokenKinds[id]
            return .int32(Int32(ggufTokenType(kind)))
        }
        var out: [(key: String, value: GGUFValue)] = [
            ("tokenizer.ggml.model", .string("gpt2")),
            ("tokenizer.ggml.pre", .string(preTokenizerName(d))),
            ("tokenizer.ggml.tokens", .array(elementType: .string, d.tokens.map { .string($0) })),
            ("tokenizer.ggml.token_type", .array(elementType: .int32, types)),
            ("tokenizer.ggml.merges", .array(elementType: .string, d.merges.map { .string($0.0 + " " + $0.1) })),
        ]
        if let bos = d.bosTokenId { out.append(("tokenizer.ggml.bos_token_id", .uint32(UInt32(bos)))) }
        if let eos = d.eosTokenId { out.append(("tokenizer.ggml.eos_token_id", .uint32(UInt32(eos)))) }
        if let unk = unknownTokenId { out.append(("tokenizer.ggml.unknown_token_id", .uint32(UInt32(unk)))) }
        if let pad = paddingTokenId { out.append(("tokenizer.ggml.padding_token_id", .uint32(UInt32(pad)))) }
        out.append(("tokenizer.ggml.add_bos_token", .bool(!d.prefixTokens.isEmpty)))
        out.append(("tokenizer.ggml.add_eos_token", .bool(!d.suffixTokens.isEmpty)))
        if let chatTemplate { out.append(("tokenizer.chat_template", .string(chatTemplate))) }
        return out
    }

    /// GGUF token type codes.
    static func ggufTokenType(_ kind: TokenKind) -> Int {
        switch kind {
        case .normal: 1
        case .unknown: 2
        case .control: 3
        case .userDefined: 4
        case .unused: 5
        case .byte: 6
        }
    }
}
