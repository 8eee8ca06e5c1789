import Foundation
import ModelFormats
import Models
import TensorCore
import Tokenizers

/// Writes any loaded model as a Hugging Face model directory that `ModelLoader` (and transformers)
/// read back: `model.safetensors` (the model's current tensors under HF names: f32 by default, so
/// the round trip is bit-exact; f16/bf16 on request), `config.json` and the tokenizer.
///
/// - From a Hugging Face directory: its config.json with `dtype` set to the written type and any
///   `quantization_config` dropped (the weights are written dequantized); tokenizer.json and its
///   side files copied.
/// - From a GGUF: config.json derived from the metadata by the family's row of `ModelFamilies`;
///   tokenizer.json written from the GGUF's byte-level BPE vocabulary (`TokenizerJSONWriter`). A SentencePiece vocabulary (Gemma 3) has no byte-level
///   tokenizer.json form: it is written as a vocab-only `tokenizer.gguf` (noted in the result), which
///   `ModelLoader` reads and transformers does not.
public enum HFDirectoryExporter {
    public struct Result: Sendable {
        public var files: [String]
        public var notes: [String]
    }

    public static let copiedFiles = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]

    @discardableResult
    public static func export(_ loaded: LoadedModel, to directory: String, dtype: FloatDType = .f32) throws -> Result {
        guard let model = loaded.model as? any HFCheckpointTensors else {
            throw ExportError("\(loaded.path): \(loaded.model.architecture) models cannot be written as a Hugging Face directory")
        }
        var isDirectory: ObjCBool = false
        let fromHF = FileManager.default.fileExists(atPath: loaded.path, isDirectory: &isDirectory) && isDirectory.boolValue
        if fromHF, URL(fileURLWithPath: loaded.path).standardized == URL(fileURLWithPath: directory).standardized {
            throw ExportError("\(directory): is the source directory; write to another one")
        }
        var writer = SafetensorsWriter()
        for (name, tensor) in model.hfTensors() { writer.add(name, tensor, as: dtype) }
        var files = try writer.writeCheckpoint(to: directory)
        var notes: [String] = []
        let out = URL(fileURLWithPath: directory)
        func write(_ data: Data, _ name: String) throws {
            do { try data.write(to: out.appendingPathComponent(name)) } catch {
                throw ExportError("\(out.appendingPathComponent(name).path): cannot write: \(error.localizedDescription)")
            }
            files.append(name)
        }
        let dtypeName = switch dtype { case .f32: "float32"; case .f16: "float16"; case .bf16: "bfloat16" }
        if fromHF {
            let source = try HFModelDirectory(path: loaded.path)
            try write(try configJSON(from: source.configPath, dtype: dtypeName), HFModelDirectory.configFileName)
            for name in copiedFiles {
                let path = URL(fileURLWithPath: loaded.path).appendingPathComponent(name).path
                guard FileManager.default.fileExists(atPath: path) else { continue }
                try write(try Data(contentsOf: URL(fileURLWithPath: path)), name)
            }
        } else {
            let file = try GGUFFile(path: loaded.path)
            let (member, route) = try ModelFamilies.ggufRoute(file.architecture ?? "?", file: file.path)
            var config = try route.hfConfig(file, member)
            config["dtype"] = dtypeName
            try write(Data(ConfigJSONText.text(config).utf8), HFModelDirectory.configFileName)
            let tokenizer = try TokenizerFiles.write(fromGGUF: file, into: out)
            files += tokenizer.files
            notes += tokenizer.notes
        }
        return Result(files: files, notes: notes)
    }

    /// The source config.json with `dtype` (transformers 5; `torch_dtype` when the source used it)
    /// and without `quantization_config`.
    static func configJSON(from path: String, dtype: String) throws -> Data {
        guard var json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any] else {
            throw ExportError("\(path): not a JSON object")
        }
        json["quantization_config"] = nil
        json[json["torch_dtype"] != nil ? "torch_dtype" : "dtype"] = dtype
        return try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys, .prettyPrinted])
    }
}
