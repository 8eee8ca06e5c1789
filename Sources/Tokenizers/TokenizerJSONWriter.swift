import Foundation
import ModelFormats

/// Writes a byte-level BPE definition as a Hugging Face `tokenizer.json` (+ the BOS/EOS names a
/// `tokenizer_config.json` carries) that our loader and PyPI `tokenizers` read back to the same
/// encoding: BPE vocab and merges, special/added tokens, the pre-tokenizer of its regex family,
/// NFC when set, a TemplateProcessing post-processor for BOS/EOS added around every sequence.
public enum TokenizerJSONWriter {
    /// The byte-level BPE tokenizer of a GGUF file as tokenizer.json; SentencePiece GGUFs
    /// (`tokenizer.ggml.model` "llama") cannot be expressed this way and throw.
    public static func tokenizerJSON(fromGGUF file: GGUFFile) throws -> (tokenizer: Data, config: Data) {
        let metadata = GGUFTokenizerMetadata(file)
        if try metadata.string("tokenizer.ggml.model") == "llama" {
            throw FormatError(file: file.path, field: "tokenizer.ggml.model",
                              "SentencePiece tokenizers cannot be written as a byte-level tokenizer.json yet")
        }
        let definition = try metadata.definition()
        // what tokenizer_config.json carries beyond the vocabulary: the chat template, and the
        // padding / unknown tokens where the GGUF names them
        var extra: [String: Any] = [:]
        if case .string(let template)? = file.metadata["tokenizer.chat_template"] { extra["chat_template"] = template }
        let names = definition.tokens
        for (key, field) in [("pad_token", "tokenizer.ggml.padding_token_id"), ("unk_token", "tokenizer.ggml.unknown_token_id")] {
            if let id = file.metadata[field]?.asInt, id >= 0, id < names.count { extra[key] = names[id] }
        }
        return try json(definition, config: extra)
    }

    /// `config` entries are added to tokenizer_config.json (chat_template, pad_token, …).
    public static func json(_ d: ByteLevelBPEDefinition, config extra: [String: Any] = [:]) throws -> (tokenizer: Data, config: Data) {
        var vocab: [String: Int] = [:]
        var added: [[String: Any]] = []
        for (id, token) in d.tokens.enumerated() {
            let kind = d.tokenKinds.isEmpty ? .normal : d.tokenKinds[id]
            // every token is in the vocabulary (as transformers' GGUF conversion does); specials also as added tokens
            vocab[token] = id
            if kind == .control || kind == .userDefined || kind == .unknown {
                added.append(["id": id, "content": token, "single_word": false,
                              "lstrip": d.leftStrippingTokens.contains(Int32(id)),
                              "rstrip": d.rightStrippingTokens.contains(Int32(id)),
                              "normalized": false, "special": kind != .userDefined])
            }
        }
        let byteLevel: [String: Any] = ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": true]
        var noRegex = byteLevel
        noRegex["use_regex"] = false
        let pre: [String: Any]
        switch d.preTokenizer {
        case .gpt2:
            pre = byteLevel
        case .smollm:
            pre = ["type": "Sequence", "pretokenizers": [["type": "Digits", "individual_digits": true], byteLevel]]
        case .llama3, .qwen2:
            let regex = d.preTokenizer == .llama3 ? TokenizerJSONPreTokenizer.llama3Regex : TokenizerJSONPreTokenizer.qwen2Regex
            pre = ["type": "Sequence", "pretokenizers": [
                ["type": "Split", "pattern": ["Regex": regex], "behavior": "Isolated", "invert": false], noRegex]]
        }
        func name(_ id: Int32) -> String { d.tokens[Int(id)] }
        var post: Any = NSNull()
        if !d.prefixTokens.isEmpty || !d.suffixTokens.isEmpty {
            func pieces(_ sequence: String) -> [[String: Any]] {
                d.prefixTokens.map { ["SpecialToken": ["id": name($0), "type_id": 0]] } + [["Sequence": ["id": sequence, "type_id": 0]]]
                    + d.suffixTokens.map { ["SpecialToken": ["id": name($0), "type_id": 0]] }
            }
            var specials: [String: Any] = [:]
            for id in d.prefixTokens + d.suffixTokens { specials[name(id)] = ["id": name(id), "ids": [Int(id)], "tokens": [name(id)]] }
            post = ["type": "TemplateProcessing", "single": pieces("A"), "pair": pieces("A") + pieces("B"), "special_tokens": specials]
        }
        let root: [String: Any] = [
            "version": "1.0", "truncation": NSNull(), "padding": NSNull(), "added_tokens": added,
            "normalizer": d.normalizesToNFC ? ["type": "NFC"] : NSNull(), "pre_tokenizer": pre, "post_processor": post,
            "decoder": ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true],
            "model": ["type": "BPE", "dropout": NSNull(), "unk_token": NSNull(), "continuing_subword_prefix": NSNull(),
                      "end_of_word_suffix": NSNull(), "fuse_unk": false, "byte_fallback": false,
                      "ignore_merges": d.ignoreMerges, "vocab": vocab, "merges": d.merges.map { [$0.0, $0.1] }],
        ]
        var config: [String: Any] = ["tokenizer_class": "PreTrainedTokenizerFast", "clean_up_tokenization_spaces": false,
                                     "add_bos_token": !d.prefixTokens.isEmpty, "add_eos_token": !d.suffixTokens.isEmpty]
        if let bos = d.bosTokenId { config["bos_token"] = name(bos) }
        if let eos = d.eosTokenId { config["eos_token"] = name(eos) }
        config.merge(extra) { _, new in new }
        let options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
        return (try JSONSerialization.data(withJSONObject: root, options: options),
                try JSONSerialization.data(withJSONObject: config, options: options.union(.prettyPrinted)))
    }
}
