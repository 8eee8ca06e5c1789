import ArgumentParser
import Evaluation
import Export
import Foundation
import Models
import TensorCore

/// `ptqlab export-hf MODEL --out DIR [--dtype f32|f16|bf16]`: writes any loadable model (GGUF,
/// dequantized; or an HF directory of any supported family) as a Hugging Face safetensors
/// directory that `ptqlab` and transformers load (see `HFDirectoryExporter`).
struct ExportHFCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-hf",
        abstract: "Write a model (GGUF dequantized, or any Hugging Face directory) as a Hugging Face safetensors directory.")

    @Argument(help: "GGUF file, Hugging Face model directory, or installed model name: smollm2-135m, qwen2.5-coder-0.5b, gemma3-270m, qwen2.5-coder-1.5b (default: the pinned SmolLM2-135M).")
    var model: String?

    @Option(help: "Output directory (created if needed).")
    var out: String

    @Option(help: "Tensor dtype: f32 (bit-exact round trip), f16 or bf16.")
    var dtype: String = "f32"

    func run() throws {
        try runReportingErrors {
            guard let type = ["f32": FloatDType.f32, "f16": .f16, "bf16": .bf16][dtype] else {
                throw ValidationError("--dtype must be f32, f16 or bf16, got '\(dtype)'")
            }
            let loaded = try ModelLoader.load(path: try AssetLocator().model(model))
            let result = try HFDirectoryExporter.export(loaded, to: out, dtype: type)
            print("wrote \(out): \(result.files.joined(separator: ", ")) (\(loaded.model.architecture), \(dtype))")
            for note in result.notes { print("note: \(note)") }
        }
    }
}
