import Calibration
import Evaluation
import Foundation
import ModelFormats
import Models
import TensorCore
import Testing
@testable import Export

/// Hugging Face directories written as GGUF (`HFToGGUFConverter`, `ptqlab export-gguf`, and
/// `ptqlab quantize DIR --out x.gguf`). The directories come from our own `export-hf` of the
/// installed GGUFs (f32: exact), so the GGUF they came from is the reference: the same tensors
/// under the same names (llama.cpp's Q/K row order included), the same tokenizer metadata, the
/// same quantized file as llama-quantize's.
@Suite(.serialized) struct HFToGGUFTests {
    /// The tokenizer keys the converter writes, compared with the source GGUF's.
    static let tokenizerKeys = ["tokenizer.ggml.model", "tokenizer.ggml.pre", "tokenizer.ggml.tokens", "tokenizer.ggml.token_type",
                                "tokenizer.ggml.merges", "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id",
                                "tokenizer.ggml.padding_token_id", "tokenizer.chat_template"]

    static func exportHF(_ model: String, label: String) throws -> (loaded: LoadedModel, directory: String) {
        let loaded = try ModelLoader.load(path: model)
        let directory = try ExportTestSupport.temporaryDirectory(label)
        try HFDirectoryExporter.export(loaded, to: directory)
        return (loaded, directory)
    }

    /// SmolLM2 → HF directory → GGUF: every tensor of the original GGUF, same name and shape, values
    /// equal to its dequantized values (exact: f32 copies, permutation re-applied), the same
    /// tokenizer keys, and hyperparameters that read back equal (checked by the converter).
    @Test func smolLM2DirectoryConvertsBackToItsGGUF() throws {
        let source = try GGUFFile(path: try AssetLocator().defaultModel)
        let (_, directory) = try Self.exportHF(source.path, label: "hf2gguf-smol")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let out = directory + "/model.gguf"
        try HFToGGUFConverter.convert(directory: directory, to: out)
        let file = try GGUFFile(path: out)
        #expect(file.architecture == "llama")
        #expect(Set(file.tensors.map(\.name)) == Set(source.tensors.map(\.name)))
        for info in source.tensors {
            let a = try source.loadFloat32(info.name), b = try file.loadFloat32(info.name)
            #expect(a.shape == b.shape && a.array == b.array, "\(info.name)")
        }
        for key in Self.tokenizerKeys where source.metadata[key] != nil {
            #expect(file.metadata[key] == source.metadata[key], "\(key)")
        }
    }

    /// Quantizing the directory to Q4_K_M writes the file llama-quantize writes from the original
    /// GGUF, byte for byte (the hash `SmolLM2ExportTests.rtnQ4KMEqualsLlamaQuantize` pins).
    @Test func quantizedDirectoryEqualsLlamaQuantizesFile() throws {
        let (_, directory) = try Self.exportHF(try AssetLocator().defaultModel, label: "hf2gguf-q4km")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let memory = try ModelLoader.load(path: directory)
        let summary = try QuantRecipe(spec: "q4_k_m", method: "rtn").run(on: memory.model, calibration: nil)
        try HFToGGUFConverter.convert(directory: directory, to: directory + "/f32.gguf")
        try GGUFExporter.export(summary, source: GGUFFile(path: directory + "/f32.gguf"), to: directory + "/q4_k_m.gguf")
        let file = try GGUFFile(path: directory + "/q4_k_m.gguf")
        var hash = SHA256()
        for name in file.tensors.map(\.name).sorted() { hash.update(try file.rawData(of: name)) }
        #expect(hash.finalizeHex() == "9117fc2329ef85ebaa413bdc45beb5b7d55949d34ad84441bfd75ef27582d0df")
    }

    /// Qwen2.5-Coder's byte-level BPE tokenizer (qwen2 pre-tokenizer, 151k tokens, chat template)
    /// through tokenizer.json and back to GGUF keys: equal to the installed GGUF's.
    @Test func qwenTokenizerMetadataRoundTrips() throws {
        let source = try GGUFFile(path: try AssetLocator().model("qwen2.5-coder-0.5b"))
        let directory = try ExportTestSupport.temporaryDirectory("hf2gguf-qwen-tok")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try TokenizerFiles.write(fromGGUF: source, into: URL(fileURLWithPath: directory))
        try Data("{}".utf8).write(to: URL(fileURLWithPath: directory + "/config.json"))
        try Data().write(to: URL(fileURLWithPath: directory + "/model.safetensors"))
        let entries = Dictionary(try DirectoryTokenizerMetadata.entries(HFModelDirectory(path: directory)).map { ($0.key, $0.value) },
                                 uniquingKeysWith: { a, _ in a })
        for key in Self.tokenizerKeys where source.metadata[key] != nil {
            #expect(entries[key] == source.metadata[key], "\(key): \(Self.firstDifference(entries[key], source.metadata[key]))")
        }
        #expect(entries["tokenizer.ggml.pre"] == .string("qwen2"))
    }

    /// Gemma 3 (tiny fixture): its directory keeps the SentencePiece vocabulary as tokenizer.gguf,
    /// copied into the GGUF; norms go back to 1 + w. Reloaded logits equal the original's to 1e-5
    /// of the largest (w + 1 − 1 + 1 rounds in f32).
    @Test func tinyGemma3DirectoryConvertsBack() throws {
        let path = ExportTestSupport.packageRoot.appendingPathComponent("Fixtures/models/tiny-gemma3/model.gguf").path
        let (loaded, directory) = try Self.exportHF(path, label: "hf2gguf-gemma")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try HFToGGUFConverter.convert(directory: directory, to: directory + "/model.gguf")
        let file = try GGUFFile(path: directory + "/model.gguf"), source = try GGUFFile(path: path)
        #expect(file.architecture == "gemma3")
        #expect(file.metadata["tokenizer.ggml.tokens"] == source.metadata["tokenizer.ggml.tokens"])
        let back = try ModelLoader.load(path: directory + "/model.gguf")
        let windows = [ExportTestSupport.tokens(20, vocab: loaded.model.vocabularySize, seed: 6)]
        let a = try ExportTestSupport.logits(loaded.model, windows), b = try ExportTestSupport.logits(back.model, windows)
        let scale = a.map { abs($0) }.max() ?? 1
        #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1e-5 * scale })
    }

    /// What cannot be converted says which file and field: a directory without a tokenizer, a
    /// family llama.cpp's converter writes differently (OPT).
    @Test func refusalsNameTheFileAndField() throws {
        let fixtures = ExportTestSupport.packageRoot.appendingPathComponent("Fixtures/models").path
        let out = try ExportTestSupport.temporaryDirectory("hf2gguf-refusals") + "/x.gguf"
        #expect { try HFToGGUFConverter.convert(directory: fixtures + "/tiny-llama", to: out) } throws: { error in
            "\(error)".contains("tokenizer.json")
        }
        #expect { try HFToGGUFConverter.convert(directory: fixtures + "/tiny-opt", to: out) } throws: { error in
            "\(error)".contains("model_type") && "\(error)".contains("opt")
        }
    }

    /// A NaN in the last tensor of the checkpoint is found while the file is being written (tensors
    /// are read one at a time as the writer reaches them): the error names the safetensors file and
    /// the tensor, and neither the output nor its temporary file is left.
    @Test func nonFiniteWeightStopsTheConversionAndLeavesNoFile() throws {
        let path = ExportTestSupport.packageRoot.appendingPathComponent("Fixtures/models/tiny-gemma3/model.gguf").path
        let (_, directory) = try Self.exportHF(path, label: "hf2gguf-nan")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let weights = URL(fileURLWithPath: directory + "/model.safetensors")
        var bytes = try Data(contentsOf: weights)
        let headerLength = Int(bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian })
        let header = try #require(try JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<(8 + headerLength))) as? [String: Any])
        // the tensor stored last in the data section, and a value in its middle
        var last: (name: String, begin: Int, end: Int)?
        for (name, entry) in header where name != "__metadata__" {
            guard let e = entry as? [String: Any], let o = e["data_offsets"] as? [Int], e["dtype"] as? String == "F32" else { continue }
            if last == nil || o[0] > last!.begin { last = (name, o[0], o[1]) }
        }
        let target = try #require(last)
        let at = 8 + headerLength + target.begin + ((target.end - target.begin) / 8) * 4
        bytes.replaceSubrange(at..<(at + 4), with: withUnsafeBytes(of: Float.nan.bitPattern.littleEndian) { Data($0) })
        try bytes.write(to: weights)
        let out = directory + "/model.gguf"
        #expect { try HFToGGUFConverter.convert(directory: directory, to: out) } throws: { error in
            "\(error)".contains("model.safetensors") && "\(error)".contains(target.name) && "\(error)".contains("non-finite")
        }
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(!FileManager.default.fileExists(atPath: out + ".partial"))
    }

    /// "index: written vs source" of the first differing array element (for failure messages).
    static func firstDifference(_ written: GGUFValue?, _ source: GGUFValue?) -> String {
        let a = written?.asArray ?? [], b = source?.asArray ?? []
        guard let i = (0..<max(a.count, b.count)).first(where: { $0 >= a.count || $0 >= b.count || a[$0] != b[$0] }) else { return "" }
        return "first difference at \(i): \(i < a.count ? "\(a[i])" : "none") vs \(i < b.count ? "\(b[i])" : "none")"
    }
}
