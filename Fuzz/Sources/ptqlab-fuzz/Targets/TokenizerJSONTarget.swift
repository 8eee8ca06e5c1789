import Tokenizers

/// `tokenizer-json`: a Hugging Face tokenizer.json (model, vocab, merges, added tokens,
/// pre-tokenizer, post-processor, normalizer, decoder) loaded as a byte-level BPE tokenizer, which
/// then encodes and decodes a fixed text.
enum TokenizerJSONTarget {
    static let target = FuzzTarget(
        name: "tokenizer-json", summary: "tokenizer.json loading, then encode/decode of a fixed text"
    ) { input in
        _ = Scratch.subdirectory("tokenizer")
        let path = Scratch.write(input.bytes, to: "tokenizer/tokenizer.json")
        if let tokenizer = ErrorCheck.attempt("Tokenizer.fromTokenizerJSON", { try Tokenizer.fromTokenizerJSON(path: path) }) {
            TokenizerProbe.exercise(tokenizer)
        }
    }
}
