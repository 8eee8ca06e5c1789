import Foundation
import ModelFormats
import Models
import TensorCore

/// A Hugging Face directory (config.json + safetensors + tokenizer) written as the GGUF llama.cpp's
/// `convert_hf_to_gguf.py` would write: `general.*`, the architecture's hyperparameter keys
/// (`LlamaGGUFMetadata`, `Gemma3GGUFMetadata`), the tokenizer (`DirectoryTokenizerMetadata`), and
/// every tensor under its GGUF name — 2-D tensors in their stored precision (F16, BF16 or F32:
/// no rounding), 1-D ones (norms, biases) in F32, Q/K rows permuted for the `llama` architecture,
/// Gemma's norms as 1 + w. The written file is read back and must give the config's
/// hyperparameters. It is what `ptqlab export-gguf` writes, and the source GGUF export copies into
/// when quantizing a Hugging Face directory.
public enum HFToGGUFConverter {
    /// The families written, by config.json `model_type`.
    public static let modelTypes = ["llama", "mistral", "qwen2", "gemma3_text"]

    @discardableResult
    public static func convert(directory path: String, to out: String) throws -> ExportReport {
        let directory = try HFModelDirectory(path: path)
        let modelType = try HFModelType.read(contentsOf: directory.configPath)
        let source = try directory.openTensors()
        let writer = GGUFWriter()
        let arch: String
        var archEntries: [(String, GGUFValue)] = [], ropeFactors: [Float]? = nil
        var permuted: [String: Int] = [:], skipped: Set<String> = []
        let tensorName: (String) -> String?
        var storedForm: (String, Tensor) -> Tensor = { _, t in t }
        var check: (GGUFFile) throws -> Void
        let vocabularySize: Int
        switch modelType {
        case "llama", "mistral", "qwen2":
            let c = try directory.loadConfig()
            arch = LlamaGGUFMetadata.architecture(c)
            vocabularySize = c.vocabSize
            (archEntries, ropeFactors) = try LlamaGGUFMetadata.entries(c, file: directory.configPath)
            tensorName = LlamaGGUF.ggufName
            if arch == "llama" {
                for i in 0..<c.numHiddenLayers {
                    for (p, heads) in [("q", c.numAttentionHeads), ("k", c.numKeyValueHeads)] {
                        permuted["blk.\(i).attn_\(p).weight"] = heads
                        permuted["blk.\(i).attn_\(p).bias"] = heads
                    }
                }
            }
            if c.tieWordEmbeddings { skipped.insert("lm_head.weight") }
            check = { try LlamaGGUFMetadata.check($0, against: c, configPath: directory.configPath) }
        case "gemma3_text":
            let c = try Gemma3TextConfig(contentsOf: directory.configPath)
            arch = Gemma3GGUFMetadata.architecture
            vocabularySize = c.vocabSize
            archEntries = Gemma3GGUFMetadata.entries(c)
            tensorName = Gemma3GGUF.ggufName
            storedForm = Gemma3GGUF.storedForm
            skipped.insert("lm_head.weight")
            check = { try Gemma3GGUFMetadata.check($0, against: c, configPath: directory.configPath) }
        default:
            throw FormatError(file: directory.configPath, field: "model_type",
                              "'\(MessageExcerpt.of(modelType))' cannot be written as GGUF; PTQLab writes \(modelTypes.joined(separator: ", "))")
        }

        // what each tensor becomes (names, shapes, types) before any is read: the file type is the
        // 2-D tensors' precision, and each tensor is encoded as soon as it is read (no f32 copy of
        // the whole model)
        var plan: [(hf: String, name: String, shape: [Int], type: GGMLType)] = []
        for name in source.tensorNames where !skipped.contains(name) && !name.hasSuffix("rotary_emb.inv_freq") {
            guard let gguf = tensorName(name) else {
                throw FormatError(file: source.sourcePath, field: name, "no \(arch) GGUF tensor corresponds to this tensor")
            }
            guard let shape = source.shape(of: name) else { continue }
            let stored: GGMLType = switch source.storageType(of: name) {
                case "F16": .f16
                case "BF16": .bf16
                default: .f32
            }
            plan.append((name, gguf, shape, shape.count < 2 ? .f32 : stored))
        }
        let matrixTypes = Set(plan.filter { $0.shape.count == 2 }.map(\.type))
        let fileType: UInt32 = matrixTypes == [.f32] ? 0 : matrixTypes == [.bf16] ? 32 : 1

        writer["general.architecture"] = .string(arch)
        writer["general.type"] = .string("model")
        writer["general.name"] = .string(URL(fileURLWithPath: path).lastPathComponent)
        for (key, value) in archEntries { writer[key] = value }
        writer["general.file_type"] = .uint32(fileType)
        for (key, value) in try DirectoryTokenizerMetadata.entries(directory, vocabularySize: vocabularySize) { writer[key] = value }
        // each tensor is read, checked and encoded when the writer reaches it, then let go: the
        // converter holds one tensor at a time, not the model
        let form = storedForm
        for t in plan {
            let permutation = permuted[t.name].map { GGUFBlockEncoder.llamaCppPermutation(rows: t.shape[0], heads: $0) }
            try writer.addTensor(t.name, shape: t.shape, as: t.type) {
                var values = form(t.hf, try source.loadFloat32(t.hf, expectedShape: t.shape))
                try WeightCheck.finite(values, name: t.hf, file: source.sourcePath)
                if let permutation { values = values.reorderingRows(permutation) }
                return values
            }
        }
        if let ropeFactors {
            try writer.addTensor("rope_freqs.weight", Tensor(shape: [ropeFactors.count], values: ropeFactors), as: .f32)
        }
        let tensorCount = plan.count + (ropeFactors == nil ? 0 : 1)
        do { try writer.write(to: out) } catch let error as GGUFWriterError { throw ExportError("\(out): cannot write: \(error)") }
        let written = try GGUFFile(path: out)
        try check(written)
        let bytes = written.tensors.reduce(0) { $0 + $1.byteCount }
        return ExportReport(format: "gguf", path: out, quantizedStorage: matrixTypes.map(\.name).sorted().joined(separator: "+"),
                            quantizedLayers: 0, tensors: tensorCount, bytes: bytes,
                            notes: ["\(arch) GGUF from \(path): hyperparameters read back equal to config.json's"]
                                + (permuted.isEmpty ? [] : ["Q/K rows permuted as llama.cpp's converter does"]))
    }
}
