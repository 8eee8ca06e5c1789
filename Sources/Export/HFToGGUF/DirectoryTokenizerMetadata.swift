import ModelFormats
import Tokenizers

/// The `tokenizer.*` metadata of a Hugging Face directory, as llama.cpp's converter writes it:
/// from a vocab-only `tokenizer.gguf` (how `ptqlab export-hf` keeps a SentencePiece vocabulary)
/// copied as it is, else from tokenizer.json (byte-level BPE) with tokenizer_config.json's chat
/// template and pad / unknown tokens, ids below the model's `vocabularySize` that the tokenizer
/// leaves empty padded as llama.cpp's converter does (`GGUFTokenizerMetadataWriter.entries`).
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
        return try GGUFTokenizerMetadataWriter.entries(tokenizerJSON: path, vocabularySize: vocabularySize)
    }
}
