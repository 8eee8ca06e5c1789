import Foundation
import ModelFormats
import Tokenizers

/// The `tokenizer.*` metadata of a Hugging Face directory, as llama.cpp's converter writes it:
/// from a vocab-only `tokenizer.gguf` (how `ptqlab export-hf` keeps a SentencePiece vocabulary)
/// copied as it is, else from tokenizer.json (byte-level BPE) with tokenizer_config.json's chat
/// template and pad / unknown tokens. As llama.cpp's converter does, ids the tokenizer leaves empty
/// below the model's `vocabularySize` become "[PAD<id>]" tokens of type unused (5), and so do
/// such tokens already in the vocabulary (how they come back from a GGUF through tokenizer.json).
enum DirectoryTokenizerMetadata {
    static func entries(_ directory: HFModelDirectory, vocabularySize: Int? = nil) throws -> [(key: String, value: GGUFValue)] {
        if let vocabulary = directory.vocabularyGGUFPath {
            let file = try GGUFFile(path: vocabulary)
            return file.metadataKeys.filter { $0.hasPrefix("tokenizer.") }.map { ($0, file.metadata[$0]!) }
        }
        guard let path = directory.tokenizerPath else {
            throw FormatError(file: directory.path, field: HFModelDirectory.tokenizerFileName,
                              "missing: llama.cpp needs the vocabulary in the GGUF (give the directory a tokenizer.json)")
        }
        var definition = try GGUFTokenizerMetadataWriter.definition(tokenizerJSON: path)
        if definition.tokenKinds.isEmpty { definition.tokenKinds = Array(repeating: .normal, count: definition.tokens.count) }
        for id in definition.tokens.count..<max(vocabularySize ?? 0, definition.tokens.count) {
            definition.tokens.append("[PAD\(id)]")
            definition.tokenKinds.append(.unused)
        }
        for (id, token) in definition.tokens.enumerated() where token == "[PAD\(id)]" { definition.tokenKinds[id] = .unused }
        let configPath = URL(fileURLWithPath: directory.path).appendingPathComponent("tokenizer_config.json").path
        var config: [String: Any] = [:]
        if FileManager.default.fileExists(atPath: configPath) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: configPath))) as? [String: Any] else {
                throw FormatError(file: configPath, field: "JSON", "not a JSON object")
            }
            config = object
        }
        let ids = Dictionary(definition.tokens.enumerated().map { ($1, Int32($0)) }, uniquingKeysWith: { a, _ in a })
        func id(_ key: String) throws -> Int32? {
            guard let value = config[key], !(value is NSNull) else { return nil }
            guard let name = (value as? String) ?? (value as? [String: Any])?["content"] as? String else {
                throw FormatError(file: configPath, field: key, "expected a token string or {\"content\": …}")
            }
            guard let id = ids[name] else { throw FormatError(file: configPath, field: key, "token '\(MessageExcerpt.of(name))' is not in \(path)") }
            return id
        }
        // chat_template: a string, or transformers' list of named templates (the "default" one)
        var template = config["chat_template"] as? String
        if template == nil, let named = config["chat_template"] as? [[String: Any]] {
            template = named.first { $0["name"] as? String == "default" }?["template"] as? String
        }
        return try GGUFTokenizerMetadataWriter.entries(definition, chatTemplate: template,
                                                       paddingTokenId: id("pad_token"), unknownTokenId: id("unk_token"))
    }
}
