import ArgumentParser
import Evaluation
import Foundation
import Models

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Architecture, tensor count, storage types with bits/weight, and tokenizer of a model.")

    @Argument(help: "GGUF file, Hugging Face model directory, or installed model name: smollm2-135m, qwen2.5-coder-0.5b, gemma3-270m, qwen2.5-coder-1.5b (default: the pinned SmolLM2-135M).")
    var model: String?

    @Option(help: "Output format: text or json.")
    var format: String = "text"

    func run() throws {
        try runReportingErrors {
            let path = try AssetLocator().model(model)
            let s = try ModelInspector.summarize(path: path)
            if format == "json" {
                let enc = JSONEncoder(); enc.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                enc.keyEncodingStrategy = .convertToSnakeCase
                print(String(decoding: try enc.encode(s), as: UTF8.self))
                return
            }
            var lines = ["model:        \(s.path)",
                         "format:       \(s.format)",
                         "architecture: \(s.architecture)\(s.name.map { " (\($0))" } ?? "")",
                         "family:       \(s.family)",
                         "tensors:      \(s.tensorCount)",
                         String(format: "parameters:   %ld (%.1f M), %.1f MiB, %.3f bits/weight overall",
                                s.parameters, Double(s.parameters) / 1e6, Double(s.bytes) / 1048576, s.bitsPerWeight),
                         "storage types:"]
            for g in s.storage {
                let type = g.type + String(repeating: " ", count: max(0, 6 - g.type.count))
                lines.append("  " + type + String(format: " %4d tensors %12d weights  %7.3f bits/weight",
                                                  g.tensors, g.parameters, g.bitsPerWeight))
            }
            if !s.hyperparameters.isEmpty {
                lines.append("shape:        " + s.hyperparameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
            }
            lines.append("tokenizer:    \(s.tokenizer)")
            print(lines.joined(separator: "\n"))
        }
    }
}
