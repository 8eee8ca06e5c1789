import Foundation
import ModelFormats
import Tokenizers

/// The tokenizer files a Hugging Face directory written from a GGUF gets: tokenizer.json and
/// tokenizer_config.json (chat template, BOS/EOS/pad tokens) from a byte-level BPE vocabulary
/// (`TokenizerJSONWriter`), or, for a SentencePiece vocabulary (Gemma 3, Llama 2), which has no
/// byte-level tokenizer.json form, the GGUF's tokenizer metadata as a vocab-only GGUF
/// (`HFModelDirectory.vocabularyGGUFFileName`, llama.cpp's ggml-vocab-*.gguf form) that PTQLab reads.
enum TokenizerFiles {
    /// Writes them into `directory`; returns the file names written and notes for the report.
    static func write(fromGGUF file: GGUFFile, into directory: URL) throws -> (files: [String], notes: [String]) {
        func save(_ data: Data, _ name: String) throws {
            do { try data.write(to: directory.appendingPathComponent(name)) } catch {
                throw ExportError("\(directory.appendingPathComponent(name).path): cannot write: \(error.localizedDescription)")
            }
        }
        do {
            let (tokenizer, config) = try TokenizerJSONWriter.tokenizerJSON(fromGGUF: file)
            try save(tokenizer, "tokenizer.json")
            try save(config, "tokenizer_config.json")
            let template = file.metadata["tokenizer.chat_template"] != nil ? " with the chat template" : ""
            return (["tokenizer.json", "tokenizer_config.json"], ["tokenizer.json and tokenizer_config.json\(template) written from the GGUF's vocabulary"])
        } catch let error as FormatError where error.field == "tokenizer.ggml.model" {
            let vocabulary = GGUFWriter()
            for key in file.metadataKeys where key.hasPrefix("tokenizer.") || key == "general.architecture" {
                vocabulary[key] = file.metadata[key]
            }
            try vocabulary.write(to: directory.appendingPathComponent(HFModelDirectory.vocabularyGGUFFileName).path)
            return ([HFModelDirectory.vocabularyGGUFFileName],
                    ["no tokenizer.json (\(error.message)): the vocabulary (chat template included) is written as a vocab-only "
                     + "\(HFModelDirectory.vocabularyGGUFFileName), which ptqlab reads; transformers needs its own tokenizer files"])
        }
    }
}
