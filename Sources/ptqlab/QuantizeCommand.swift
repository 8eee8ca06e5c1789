import ArgumentParser
import Calibration
import Evaluation
import Experiment
import Export
import Foundation
import Quantization
import ModelFormats
import Models
import TensorCore

/// `ptqlab quantize MODEL --quant SPEC --method rtn|gptq … --out PATH`: quantizes like `eval --quant`
/// (same options, same sequential pipeline), then writes a model other tools load:
/// PATH ending in `.gguf` → GGUF with ggml block types (from a GGUF source, or from a Hugging Face
/// directory converted first as llama.cpp's converter would: `HFToGGUFConverter`; see `GGUFExporter`),
/// otherwise a Hugging Face GPTQ checkpoint directory (see `GPTQExporter`).
struct QuantizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Quantize a model and write it as GGUF (PATH.gguf) or as a Hugging Face GPTQ directory (any other PATH).")

    @Argument(help: "GGUF file, Hugging Face model directory, or installed model name: smollm2-135m, qwen2.5-coder-0.5b, gemma3-270m, qwen2.5-coder-1.5b (default: the pinned SmolLM2-135M).")
    var model: String?

    @OptionGroup var residency: WeightsOption

    @OptionGroup var quantization: QuantOptions

    @Option(help: "Output: a .gguf file, or a directory for the Hugging Face GPTQ format.")
    var out: String

    @Option(help: "GPTQ directory: dtype of the tensors that are not quantized (f32 keeps them exact, or f16).")
    var floatDtype: String = "f32"

    @Option(help: "Output format: text or json.")
    var format: String = "text"

    @Flag(help: "No progress line on stderr.")
    var quiet = false

    struct Output: Encodable {
        var model: String
        var quant: QuantizationReport
        var export: ExportReport
    }

    func run() throws {
        try runReportingErrors {
            try residency.apply()
            guard format == "text" || format == "json" else {
                throw ValidationError("--format must be text or json, got '\(format)'")
            }
            guard let floatType = ["f32": FloatDType.f32, "f16": .f16][floatDtype] else {
                throw ValidationError("--float-dtype must be f32 or f16, got '\(floatDtype)'")
            }
            let assets = AssetLocator()
            let modelPath = try assets.model(model)
            let spec = try quantization.parsedSpec()
            guard !spec.activation.isQuantized else {
                throw ValidationError("\(spec): activation quantization is applied at run time and cannot be stored in "
                                      + "an exported checkpoint; export the a16 weights and evaluate with eval --quant")
            }
            let toGGUF = out.lowercased().hasSuffix(".gguf")
            var isDirectory: ObjCBool = false
            let sourceIsDirectory = FileManager.default.fileExists(atPath: modelPath, isDirectory: &isDirectory) && isDirectory.boolValue

            // Everything that can be refused is refused before quantizing.
            if toGGUF {
                try GGUFExporter.check(scheme: spec.weight, lowRank: quantization.lorc != nil)
                if quantization.method == "gptq" && quantization.actOrder {
                    throw ExportError("--act-order permutes group membership (g_idx), which ggml blocks cannot hold; "
                                      + "drop --act-order or write a GPTQ directory")
                }
            } else {
                try GPTQLayerPacking.check(scheme: spec.weight, lowRank: quantization.lorc != nil)
            }

            guard let recipe = try quantization.recipe() else { throw ValidationError("--quant SPEC is required") }
            for o in recipe.overrides ?? [] {
                let s = try QuantSpec.parse(o.spec)
                guard !s.activation.isQuantized else {
                    throw ValidationError("--override \(o): activation quantization is applied at run time and cannot be stored")
                }
                guard s.weight.isQuantized else { continue }
                do {
                    if toGGUF { _ = try GGUFBlockType.type(for: s.weight) } else { try GPTQLayerPacking.check(scheme: s.weight, lowRank: false) }
                } catch let e as ExportError { throw ExportError("--override \(o): \(e.message)") }
            }
            for table in [recipe.embedding, recipe.head].compactMap({ $0 }) {
                guard toGGUF else {
                    throw ExportError("\(table): GPTQ checkpoints keep the token embedding and LM head in float; write GGUF instead")
                }
                do { _ = try GGUFBlockType.type(for: try QuantSpec.parse(table).weight) } catch let e as ExportError {
                    throw ExportError("--quant-embedding / --quant-head \(table): \(e.message)")
                }
            }
            // An HF directory is written as llama.cpp's converter would before quantizing (what it
            // cannot convert is refused first); the blocks then go into a copy of that file.
            let ggufSource = toGGUF && sourceIsDirectory ? out + ".source.tmp.gguf" : modelPath
            defer { if ggufSource != modelPath { try? FileManager.default.removeItem(atPath: ggufSource) } }
            // the same files if Ctrl-C or kill stops the run
            let cleanup = InterruptCleanup.register((ggufSource != modelPath ? [ggufSource, GGUFWriter.partialPath(ggufSource)] : []) + [GGUFWriter.partialPath(out)])
            defer { InterruptCleanup.forget(cleanup) }
            if ggufSource != modelPath { try HFToGGUFConverter.convert(directory: modelPath, to: ggufSource) }
            let session = try ModelSession(name: modelPath, assets: assets, reusable: false)
            let llama = session.loaded.model as? LlamaModel
            if !toGGUF && llama == nil {
                throw ExportError("GPTQ export supports the Llama family, not \(session.loaded.model.architecture); write GGUF instead (--out x.gguf)")
            }
            let outcome = try ExperimentPipeline(session: session, options: RunOptions(showProgress: !quiet)).quantize(recipe)
            let (quantReport, summary) = (outcome.report, outcome.summary)
            if let warning = QuantOptions.gridWarning(quantReport) { printStderr(warning) }
            let exported: ExportReport
            if toGGUF {
                exported = try GGUFExporter.export(summary, source: GGUFFile(path: ggufSource), to: out)
            } else {
                let config = sourceIsDirectory
                    ? try HFModelDirectory(path: modelPath).loadConfig()
                    : try HFConfigFromGGUF.config(of: GGUFFile(path: modelPath))
                exported = try GPTQExporter.export(summary, model: llama!, config: config,
                                                   sourceDirectory: sourceIsDirectory ? modelPath : nil,
                                                   sourceGGUF: sourceIsDirectory ? nil : try GGUFFile(path: modelPath),
                                                   to: out, floatType: floatType)
            }
            if format == "json" {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                let output = Output(model: modelPath, quant: quantReport, export: exported)
                print(String(decoding: try encoder.encode(output), as: UTF8.self))
            } else {
                print("quantized \(modelPath) with \(quantReport.method) \(quantReport.spec): "
                      + "\(String(format: "%.3f", quantReport.effectiveBits)) bits/weight over \(quantReport.quantizedWeights) weights")
                print("wrote \(exported.format) \(exported.path): \(exported.quantizedLayers) layers as \(exported.quantizedStorage), "
                      + "\(exported.tensors) tensors, \(exported.bytes) bytes of tensor data")
                for note in exported.notes { print("  note: \(note)") }
            }
        }
    }
}
