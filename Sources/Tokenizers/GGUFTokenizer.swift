import ModelFormats

extension Tokenizer {
    /// The tokenizer stored in a GGUF file's `tokenizer.ggml.*` metadata: byte-level BPE
    /// (`tokenizer.ggml.model` "gpt2") or SentencePiece-style BPE ("llama": Llama 2, Gemma).
    /// Control, user-defined and unknown tokens (`token_type` 3, 4, 2) are special tokens; BOS/EOS
    /// handling follows llama.cpp's defaults and flags.
    public static func fromGGUF(_ file: GGUFFile) throws -> Tokenizer {
        let metadata = GGUFTokenizerMetadata(file)
        if try metadata.string("tokenizer.ggml.model") == "llama" {
            return try Tokenizer(metadata.sentencePieceDefinition())
        }
        return try Tokenizer(metadata.definition())
    }
}

/// Reads and checks the `tokenizer.ggml.*` keys of a GGUF file.
struct GGUFTokenizerMetadata {
    let file: GGUFFile

    init(_ file: GGUFFile) { self.file = file }

    func error(_ key: String, _ message: String) -> FormatError {
        FormatError(file: file.path, field: key, message)
    }

    func value(_ key: String) throws -> GGUFValue {
        guard let value = file.metadata[key] else { throw error(key, "missing (the file has no tokenizer?)") }
        return value
    }

    func string(_ key: String) throws -> String {
        let value = try value(key)
        guard let string = value.asString else { throw error(key, "expected a string, found \(value.type)") }
        return string
    }

    func strings(_ key: String) throws -> [String] {
        let value = try value(key)
        guard let strings = value.asStringArray else { throw error(key, "expected an array of strings") }
        return strings
    }

    func optionalInt(_ key: String) throws -> Int? {
        guard let value = file.metadata[key] else { return nil }
        guard let int = value.asInt else { throw error(key, "expected an integer, found \(value.type)") }
        return int
    }

    func optionalBool(_ key: String) throws -> Bool? {
        guard let value = file.metadata[key] else { return nil }
        guard let bool = value.asBool else { throw error(key, "expected a bool, found \(value.type)") }
        return bool
    }

    func definition() throws -> ByteLevelBPEDefinition {
        let model = try string("tokenizer.ggml.model")
        guard model == "gpt2" else {
            throw error("tokenizer.ggml.model",
                        "tokenizer model '\(MessageExcerpt.of(model))' is not supported yet; only 'gpt2' (byte-level BPE) and 'llama' (SentencePiece) are")
        }
        let preKey = "tokenizer.ggml.pre"
        guard file.metadata[preKey] != nil else {
            throw error(preKey, "missing: the pre-tokenizer type is needed to split text the way the model was trained")
        }
        let pre = try string(preKey)
        guard let family = GGUFPreTokenizerFamily(pre) else {
            throw error(preKey, "unsupported pre-tokenizer '\(MessageExcerpt.of(pre))'; supported: \(GGUFPreTokenizerFamily.supportedNames)")
        }

        let tokens = try strings("tokenizer.ggml.tokens")
        let kinds = try tokenKinds(count: tokens.count)
        let merges = try mergePairs()

        let bos = try tokenId("tokenizer.ggml.bos_token_id", count: tokens.count)
        let eos = try tokenId("tokenizer.ggml.eos_token_id", count: tokens.count)
        let addBos = try optionalBool("tokenizer.ggml.add_bos_token") ?? family.addsBosByDefault
        let addEos = try optionalBool("tokenizer.ggml.add_eos_token") ?? false
        if addBos, bos == nil {
            throw error("tokenizer.ggml.bos_token_id", "missing, but tokenizer.ggml.add_bos_token asks for a BOS token")
        }
        if addEos, eos == nil {
            throw error("tokenizer.ggml.eos_token_id", "missing, but tokenizer.ggml.add_eos_token asks for an EOS token")
        }

        return ByteLevelBPEDefinition(
            source: file.path, tokens: tokens, tokenKinds: kinds, merges: merges,
            mergesField: "tokenizer.ggml.merges", preTokenizer: family.kind, ignoreMerges: family.ignoresMerges,
            bosTokenId: bos, eosTokenId: eos,
            prefixTokens: addBos ? bos.map { [$0] } ?? [] : [],
            suffixTokens: addEos ? eos.map { [$0] } ?? [] : [])
    }

    func tokenKinds(count: Int) throws -> [TokenKind] {
        let key = "tokenizer.ggml.token_type"
        guard let value = file.metadata[key] else { return [] }
        guard let types = value.asIntArray else { throw error(key, "expected an array of integers") }
        guard types.count >= count else {
            throw error(key, "\(types.count) token types for \(count) tokens")
        }
        return types.prefix(count).map(TokenKind.init(ggufTokenType:))
    }

    /// "left right" strings → pairs (the first space after the first character separates them).
    private func mergePairs() throws -> [(String, String)] {
        let key = "tokenizer.ggml.merges"
        let lines = try strings(key)
        var pairs: [(String, String)] = []
        pairs.reserveCapacity(lines.count)
        for (index, line) in lines.enumerated() {
            guard let space = line.dropFirst().firstIndex(of: " ") else {
                throw error("\(key)[\(index)]", "'\(MessageExcerpt.of(line))' is not two tokens separated by a space")
            }
            pairs.append((String(line[..<space]), String(line[line.index(after: space)...])))
        }
        return pairs
    }

    func tokenId(_ key: String, count: Int) throws -> Int32? {
        guard let id = try optionalInt(key) else { return nil }
        guard (0..<count).contains(id) else {
            throw error(key, "token id \(id) is outside the vocabulary (0..<\(count))")
        }
        return Int32(id)
    }
}

/// llama.cpp's `tokenizer.ggml.pre` names grouped by the regex family they use.
struct GGUFPreTokenizerFamily {
    let kind: PreTokenizerKind
    /// llama.cpp sets `ignore_merges` for the Llama 3 family.
    let ignoresMerges: Bool
    /// llama.cpp adds BOS by default for the Llama 3 family (unless `add_bos_token` says otherwise).
    let addsBosByDefault: Bool

    private static let names: [(PreTokenizerKind, Bool, [String])] = [
        (.gpt2, false, ["gpt-2", "phi-2", "mpt", "olmo", "jais", "exaone4", "trillion", "granite-docling"]),
        (.llama3, true, ["llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2"]),
        (.llama3, false, ["dbrx", "smaug-bpe"]),
        (.qwen2, false, ["qwen2", "deepseek-r1-qwen", "stablelm2", "megrez", "hunyuan", "kormo", "solar-open"]),
        (.smollm, false, ["smollm", "starcoder", "refact", "command-r", "codeshell", "exaone", "minerva-7b"]),
    ]

    static var supportedNames: String { names.flatMap(\.2).joined(separator: ", ") }

    init?(_ name: String) {
        guard let (kind, llama3Defaults, _) = Self.names.first(where: { $0.2.contains(name) }) else { return nil }
        self.kind = kind
        ignoresMerges = llama3Defaults
        addsBosByDefault = llama3Defaults
    }
}
