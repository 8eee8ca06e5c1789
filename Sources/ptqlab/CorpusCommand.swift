import ArgumentParser
import Calibration
import Evaluation
import Foundation
import Models

/// `ptqlab corpus NAME [--part evaluation|calibration]` prints a corpus part's text; with `--tokens`
/// it prints the part as one model's tokenizer encodes it, and with `--windows N` the calibration
/// windows a recipe draws (`CalibrationSet`: the same token ids GPTQ sees), as JSON, so another tool
/// can be run on exactly the same inputs.
struct CorpusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus",
        abstract: "Print a built-in corpus' extracted text (the exact text perplexity is measured on), its tokens, or its calibration windows.")

    @Argument(help: "wiki, news or books")
    var name: String

    @Option(help: "evaluation (held out) or calibration")
    var part: String = "evaluation"

    @Flag(help: "Print the part's token ids as JSON (tokenized by --model, with its special tokens as evaluation and calibration add them).")
    var tokens = false

    @Option(help: "Print N calibration windows as JSON token ids (the windows `--calib-samples N` draws; always from the calibration part).")
    var windows: Int?

    @Option(help: "Tokens per calibration window (with --windows).")
    var windowLength: Int = 512

    @Option(help: "Seed of the calibration windows (with --windows).")
    var seed: UInt64 = 0

    @Option(help: "Model whose tokenizer encodes the text (with --tokens or --windows; default: the pinned SmolLM2-135M).")
    var model: String?

    func run() throws {
        try runReportingErrors {
            let assets = AssetLocator()
            let c = try Corpora.load(name, assets: assets)
            guard part == "evaluation" || part == "calibration" else {
                throw ValidationError("--part must be evaluation or calibration, got '\(part)'")
            }
            let text = windows != nil || part == "calibration" ? c.calibration : c.evaluation
            guard tokens || windows != nil else {
                print(text, terminator: "")
                return
            }
            let modelPath = try assets.model(model)
            let loaded = try ModelLoader.load(path: modelPath)
            let ids = loaded.tokenizer.encode(text, addSpecial: true)
            var object: [String: Any] = ["corpus": name, "model": modelPath]
            if let count = windows {
                let set = try CalibrationSet(tokens: ids, count: count, length: windowLength, seed: seed)
                object["part"] = "calibration"
                object["seed"] = seed
                object["window_length"] = windowLength
                object["windows"] = set.windows.map { $0.map(Int.init) }
            } else {
                object["part"] = part
                object["tokens"] = ids.map(Int.init)
            }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            FileHandle.standardOutput.write(data)
            FileHandle.standardOutput.write(Data("\n".utf8))
        }
    }
}
