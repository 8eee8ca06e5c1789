import ModelFormats

/// Recognises the `pre_tokenizer` configurations of byte-level BPE tokenizers and maps them to
/// the hand-written splitters; anything else is a `FormatError` naming the field.
struct TokenizerJSONPreTokenizer {
    let path: String

    static let gpt2Regex = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
    static let llama3Regex =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let qwen2Regex =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    private static let knownRegexes: [String: PreTokenizerKind] = [
        gpt2Regex: .gpt2, llama3Regex: .llama3, qwen2Regex: .qwen2,
    ]

    private func error(_ field: String, _ message: String) -> FormatError {
        FormatError(file: path, field: field, message)
    }

    /// Supported shapes: `ByteLevel` (GPT-2 regex); `Sequence[Digits(individual), ByteLevel]`
    /// (smollm); `Sequence[Split(known regex, Isolated), ByteLevel(use_regex: false)]`.
    func kind(of value: Any?) throws -> PreTokenizerKind {
        guard let object = value as? [String: Any] else {
            throw error("pre_tokenizer", "missing; byte-level BPE needs a ByteLevel pre-tokenizer")
        }
        let steps: [[String: Any]]
        if object["type"] as? String == "Sequence" {
            guard let list = object["pretokenizers"] as? [[String: Any]] else {
                throw error("pre_tokenizer.pretokenizers", "not an array of objects")
            }
            steps = list
        } else {
            steps = [object]
        }
        let field = steps.count == 1 ? "pre_tokenizer" : "pre_tokenizer.pretokenizers"
        let types = steps.map { $0["type"] as? String ?? "?" }
        guard let last = steps.last, types.last == "ByteLevel" else {
            throw error(field, "unsupported pre-tokenizer \(types); byte-level BPE needs ByteLevel last")
        }
        if last["add_prefix_space"] as? Bool == true {
            throw error(field, "ByteLevel with add_prefix_space = true is not supported")
        }
        let byteLevelSplits = last["use_regex"] as? Bool ?? true

        switch (steps.count, byteLevelSplits) {
        case (1, true):
            return .gpt2
        case (2, true) where types[0] == "Digits":
            guard steps[0]["individual_digits"] as? Bool == true else {
                throw error("pre_tokenizer.pretokenizers[0]", "Digits without individual_digits is not supported")
            }
            return .smollm
        case (2, false) where types[0] == "Split":
            return try splitKind(steps[0])
        default:
            throw error(field, "unsupported pre-tokenizer sequence \(types) (ByteLevel use_regex: \(byteLevelSplits))")
        }
    }

    private func splitKind(_ split: [String: Any]) throws -> PreTokenizerKind {
        let field = "pre_tokenizer.pretokenizers[0]"
        guard let pattern = (split["pattern"] as? [String: Any])?["Regex"] as? String else {
            throw error("\(field).pattern", "expected {\"Regex\": …}")
        }
        guard let kind = Self.knownRegexes[pattern] else {
            throw error("\(field).pattern.Regex", "unknown split regex \(pattern.debugDescription); "
                + "only the GPT-2, Llama 3 and Qwen 2 regexes are supported")
        }
        let behavior = split["behavior"] as? String ?? "Isolated"
        guard behavior == "Isolated", split["invert"] as? Bool != true else {
            throw error(field, "split behavior '\(MessageExcerpt.of(behavior))' (invert: \(split["invert"] ?? false)) is not supported; only Isolated")
        }
        return kind
    }
}
