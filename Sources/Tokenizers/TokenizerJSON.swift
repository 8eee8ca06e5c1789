import Foundation
import ModelFormats

extension Tokenizer {
    /// A byte-level BPE tokenizer from a Hugging Face `tokenizer.json`. BOS/EOS token names are
    /// taken from a `tokenizer_config.json` next to it when there is one, else from the
    /// post-processor. Throws `FormatError` naming the file and JSON field for anything malformed
    /// or unsupported.
    public static func fromTokenizerJSON(path: String) throws -> Tokenizer {
        try Tokenizer(TokenizerJSONLoader(path: path).definition())
    }
}

/// Turns a parsed tokenizer.json (and optional tokenizer_config.json) into a definition.
struct TokenizerJSONLoader {
    let path: String

    /// Ids must lie below this (a sanity bound: real vocabularies have at most a few 100 000 tokens).
    static let maxTokens = 1 << 24

    private func error(_ field: String, _ message: String) -> FormatError {
        FormatError(file: path, field: field, message)
    }

    func definition() throws -> ByteLevelBPEDefinition {
        let root = try readObject(path)
        guard let model = root["model"] as? [String: Any] else { throw error("model", "missing or not an object") }
        try checkModelOptions(model)

        let vocab = try vocabulary(model)
        var tokens = vocab  // every name → id, for the post-processor and tokenizer_config.json
        var added: [Int: (String, TokenKind)] = [:]
        var lstrip: Set<Int32> = []
        var rstrip: Set<Int32> = []
        for (index, entry) in try addedTokens(root).enumerated() {
            guard let id = entry["id"] as? Int, (0..<Self.maxTokens).contains(id),
                  let content = entry["content"] as? String, !content.isEmpty else {
                throw error("added_tokens[\(index)]", "needs an integer 'id' (0..<\(Self.maxTokens)) and a non-empty 'content'")
            }
            tokens[content] = id
            added[id] = (content, (entry["special"] as? Bool ?? false) ? .control : .userDefined)
            if entry["lstrip"] as? Bool == true { lstrip.insert(Int32(id)) }
            if entry["rstrip"] as? Bool == true { rstrip.insert(Int32(id)) }
        }
        let (byId, tokenKinds) = try tokenList(vocab, added: added)

        let additions = try TokenizerJSONPostProcessor(path: path).additions(root["post_processor"], byName: tokens)
        let config = try sideConfig()
        func configuredId(_ key: String) throws -> Int32? {
            guard let name = config[key].flatMap(Self.tokenName) else { return nil }
            guard let id = tokens[name] else {
                throw FormatError(file: configPath, field: key, "token '\(MessageExcerpt.of(name))' is not in \(path)")
            }
            return Int32(id)
        }
        let bos = try configuredId("bos_token") ?? additions.prefix.first
        let eos = try configuredId("eos_token") ?? additions.suffix.last

        try checkDecoder(root["decoder"])
        return ByteLevelBPEDefinition(
            source: path, tokens: byId, tokenKinds: tokenKinds, merges: try merges(model),
            mergesField: "model.merges",
            preTokenizer: try TokenizerJSONPreTokenizer(path: path).kind(of: root["pre_tokenizer"]),
            ignoreMerges: model["ignore_merges"] as? Bool ?? false,
            normalizesToNFC: try normalizesToNFC(root["normalizer"]),
            bosTokenId: bos, eosTokenId: eos,
            prefixTokens: additions.prefix, suffixTokens: additions.suffix,
            leftStrippingTokens: lstrip, rightStrippingTokens: rstrip)
    }

    // MARK: Files

    private func readObject(_ file: String) throws -> [String: Any] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw FormatError(file: file, field: "file", "cannot read: \(error.localizedDescription)")
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw FormatError(file: file, field: "JSON", "not valid JSON: \(error.localizedDescription)")
        }
        guard let dictionary = object as? [String: Any] else {
            throw FormatError(file: file, field: "JSON", "the top level is not an object")
        }
        return dictionary
    }

    var configPath: String {
        URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("tokenizer_config.json").path
    }

    /// tokenizer_config.json beside tokenizer.json, or an empty object.
    func sideConfig() throws -> [String: Any] {
        FileManager.default.fileExists(atPath: configPath) ? try readObject(configPath) : [:]
    }

    /// `"<s>"` or `{"content": "<s>", …}`.
    static func tokenName(_ value: Any) -> String? {
        (value as? String) ?? (value as? [String: Any])?["content"] as? String
    }

    // MARK: Model

    private func checkModelOptions(_ model: [String: Any]) throws {
        if let type = model["type"] as? String, type != "BPE" {
            throw error("model.type", "model type '\(MessageExcerpt.of(type))' is not supported; only byte-level 'BPE' is")
        }
        if model["byte_fallback"] as? Bool == true {
            throw error("model.byte_fallback", "byte-fallback BPE (SentencePiece style) is not supported; only byte-level BPE is")
        }
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let affix = model[key] as? String, !affix.isEmpty {
                throw error("model.\(key)", "'\(MessageExcerpt.of(affix))' is not supported (byte-level BPE has none)")
            }
        }
    }

    private func vocabulary(_ model: [String: Any]) throws -> [String: Int] {
        guard let raw = model["vocab"] else { throw error("model.vocab", "missing") }
        guard let vocab = raw as? [String: Any] else { throw error("model.vocab", "not an object of token → id") }
        var result: [String: Int] = [:]
        result.reserveCapacity(vocab.count)
        for (token, value) in vocab {
            guard let id = value as? Int, (0..<Self.maxTokens).contains(id) else {
                throw error("model.vocab[\(MessageExcerpt.of(token.debugDescription))]", "id \(value) is not a non-negative integer")
            }
            result[token] = id
        }
        guard !result.isEmpty else { throw error("model.vocab", "empty") }
        return result
    }

    private func addedTokens(_ root: [String: Any]) throws -> [[String: Any]] {
        guard let raw = root["added_tokens"], !(raw is NSNull) else { return [] }
        guard let list = raw as? [[String: Any]] else { throw error("added_tokens", "not an array of objects") }
        return list
    }

    /// Strings by id and their kinds: added tokens override vocabulary entries with the same id;
    /// ids used by neither become unused empty entries.
    private func tokenList(_ vocab: [String: Int], added: [Int: (String, TokenKind)]) throws -> ([String], [TokenKind]) {
        let count = max(vocab.values.max() ?? -1, added.keys.max() ?? -1) + 1
        var byId = [String?](repeating: nil, count: count)
        for (token, id) in vocab {
            if let other = byId[id] {
                throw error("model.vocab", "id \(id) is used by both \(MessageExcerpt.of(other.debugDescription)) and \(MessageExcerpt.of(token.debugDescription))")
            }
            byId[id] = token
        }
        var kinds = byId.map { $0 == nil ? TokenKind.unused : .normal }
        for (id, (content, kind)) in added {
            byId[id] = content
            kinds[id] = kind
        }
        return (byId.map { $0 ?? "" }, kinds)
    }

    /// `["a b", …]` or `[["a", "b"], …]`.
    private func merges(_ model: [String: Any]) throws -> [(String, String)] {
        guard let raw = model["merges"] else { throw error("model.merges", "missing") }
        guard let list = raw as? [Any] else { throw error("model.merges", "not an array") }
        var pairs: [(String, String)] = []
        pairs.reserveCapacity(list.count)
        for (index, item) in list.enumerated() {
            if let line = item as? String {
                let parts = line.split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    throw error("model.merges[\(index)]", "'\(MessageExcerpt.of(line))' is not two tokens separated by one space")
                }
                pairs.append((String(parts[0]), String(parts[1])))
            } else if let pair = item as? [String], pair.count == 2 {
                pairs.append((pair[0], pair[1]))
            } else {
                throw error("model.merges[\(index)]", "expected \"left right\" or [\"left\", \"right\"]")
            }
        }
        return pairs
    }

    // MARK: Normalizer and decoder

    private func normalizesToNFC(_ value: Any?) throws -> Bool {
        guard let value, !(value is NSNull) else { return false }
        let type = (value as? [String: Any])?["type"] as? String
        switch type {
        case "NFC":
            return true
        case "Sequence" where ((value as? [String: Any])?["normalizers"] as? [Any])?.isEmpty == true:
            return false
        default:
            throw error("normalizer", "normalizer \(type ?? "?") is not supported (only none or NFC)")
        }
    }

    private func checkDecoder(_ value: Any?) throws {
        guard let value, !(value is NSNull) else { return }
        let object = value as? [String: Any]
        let parts = object?["type"] as? String == "Sequence" ? object?["decoders"] as? [Any] ?? [] : [value]
        for part in parts {
            let type = (part as? [String: Any])?["type"] as? String
            guard type == "ByteLevel" else {
                throw error("decoder", "decoder \(type ?? "?") is not supported (byte-level BPE decodes with ByteLevel)")
            }
        }
    }
}
