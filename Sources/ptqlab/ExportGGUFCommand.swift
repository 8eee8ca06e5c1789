import ArgumentParser
import Export
import Foundation
import ModelFormats

/// `ptqlab export-gguf DIR --out X.gguf`: a Hugging Face directory (Llama, Mistral, Qwen2, Gemma 3)
/// as an unquantized GGUF llama.cpp loads, written as its `convert_hf_to_gguf.py` would (see
/// `HFToGGUFConverter`). To quantize at the same time: `ptqlab quantize DIR --quant q4_k_m --out X.gguf`.
struct ExportGGUFCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-gguf",
        abstract: "Write a Hugging Face model directory (llama, mistral, qwen2, gemma3_text) as an unquantized GGUF for llama.cpp.")

    @Argument(help: "Hugging Face model directory (config.json, *.safetensors, tokenizer.json or tokenizer.gguf).")
    var directory: String

    @Option(help: "Output GGUF file.")
    var out: String

    func run() throws {
        try runReportingErrors {
            let cleanup = InterruptCleanup.register([GGUFWriter.partialPath(out)])
            defer { InterruptCleanup.forget(cleanup) }
            let report = try HFToGGUFConverter.convert(directory: directory, to: out)
            print("wrote gguf \(out): \(report.tensors) tensors (\(report.quantizedStorage)), \(report.bytes) bytes of tensor data")
            for note in report.notes { print("  note: \(note)") }
        }
    }
}
