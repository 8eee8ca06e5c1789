import ModelFormats
import Tokenizers

/// `gguf`: a GGUF file as `GGUFFile` reads it (header, metadata, tensor infos, placement), every
/// metadata value printed, small tensors decoded with their codec, and the tokenizer its
/// `tokenizer.ggml.*` metadata defines, encoding a fixed text.
enum GGUFTarget {
    /// Tensors up to this many elements are decoded (bigger ones cannot be in a small input anyway).
    static let maximumDecodedElements = 1 << 16

    static let target = FuzzTarget(
        name: "gguf", summary: "GGUFFile (header, metadata, tensor infos), tensor decoding, GGUF tokenizer"
    ) { input in
        let path = Scratch.write(input.bytes, to: "model.gguf")
        guard let file = ErrorCheck.attempt("GGUFFile", { try GGUFFile(path: path) }) else { return }
        exercise(file)
    }

    static func exercise(_ file: GGUFFile) {
        for key in file.metadataKeys { _ = file[key]?.description }
        _ = file.architecture
        for info in file.tensors {
            _ = (info.shape, info.rowCount, file.storageType(of: info.name))
            if info.elementCount <= maximumDecodedElements {
                ErrorCheck.attempt("GGUFFile.loadFloat32") { try file.loadFloat32(info.name) }
            }
        }
        if let tokenizer = ErrorCheck.attempt("Tokenizer.fromGGUF", { try Tokenizer.fromGGUF(file) }) {
            TokenizerProbe.exercise(tokenizer)
        }
    }
}
