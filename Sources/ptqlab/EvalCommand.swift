import ArgumentParser
import Evaluation
import Foundation
import Models

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Perplexity of a model on built-in corpora (wiki, news, books) or any UTF-8 text file, and zero-shot task accuracy (piqa, hellaswag, lambada, …).")

    @Argument(help: "GGUF file or Hugging Face model directory (default: the pinned SmolLM2-135M).")
    var model: String?

    @Option(help: "Comma-separated tasks: perplexity corpora wiki, news, books (default: all three, or none when --text is given) and zero-shot tasks \(ZeroShotTasks.usage).")
    var tasks: String?

    @Option(help: "A UTF-8 text file to evaluate (its whole text is held out).")
    var text: [String] = []

    @Option(help: "Window length in tokens (default 2048, capped by the model).")
    var context: Int?

    @Option(help: "Evaluate at most this many windows per task.")
    var maxWindows: Int?

    @Option(help: "Sliding-window mode (Hugging Face style): start a window every N tokens, score only new tokens.")
    var stride: Int?

    @Option(help: "Perplexity protocol: 'standard' (non-overlapping windows, GPTQ convention) or 'llamacpp' (llama.cpp half-window: BOS first, score the second half).")
    var pplMode: String = "standard"

    @Option(help: "Windows per forward pass.")
    var batch: Int = 4

    @Option(help: "Output format: text or json.")
    var format: String = "text"

    @Flag(help: "With --quant: also KL divergence and top-1 agreement against the unquantized model on every perplexity task (or name single tasks as kl:wiki).")
    var kl = false

    @Flag(help: "No progress line on stderr.")
    var quiet = false

    @OptionGroup var quantization: QuantOptions

    @OptionGroup(title: "Zero-shot tasks") var zeroShot: ZeroShotArguments

    func run() throws {
        try runReportingErrors {
            guard format == "text" || format == "json" else {
                throw ValidationError("--format must be text or json, got '\(format)'")
            }
            let assets = AssetLocator()
            let modelPath = try model ?? assets.defaultModel
            let loaded = try ModelLoader.load(path: modelPath)
            let maxContext = loaded.model.maxContext
            let ctx = context ?? min(2048, maxContext)
            guard ctx <= maxContext else {
                throw PerplexityError("--context \(ctx) is larger than the model allows (\(maxContext), from \(modelPath))")
            }
            var mode = PerplexityMode.nonOverlapping
            switch pplMode {
            case "standard": break
            case "llamacpp": mode = .llamaCppHalfWindow
            default: throw ValidationError("--ppl-mode must be 'standard' or 'llamacpp', got '\(pplMode)'")
            }
            if let stride {
                guard mode == .nonOverlapping else { throw ValidationError("--stride cannot be combined with --ppl-mode llamacpp") }
                mode = .sliding(stride: stride)
            }
            let options = PerplexityOptions(context: ctx, maxWindows: maxWindows, mode: mode,
                                            batchWindows: batch,
                                            bosToken: loaded.tokenizer.addsBos ? loaded.tokenizer.bosTokenId : nil)

            // Texts to evaluate, in order.
            var inputs: [(name: String, text: String, source: String, kl: Bool)] = []
            let taskNames = tasks.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
                ?? (text.isEmpty ? Corpora.builtInNames : [])
            let (corpusNames, zeroShotNames) = try ZeroShotArguments.partition(taskNames)
            for entry in corpusNames {
                let klTask = entry.hasPrefix("kl:")
                let name = klTask ? String(entry.dropFirst(3)) : entry
                inputs.append((name, try Corpora.load(name, assets: assets).evaluation, "corpus \(name)", kl || klTask))
            }
            for path in text {
                inputs.append(((path as NSString).lastPathComponent, try TextFile.load(path: path).evaluation, path, kl))
            }
            let zeroShotTasks = try zeroShot.load(zeroShotNames, assets: assets)
            guard !inputs.isEmpty || !zeroShotTasks.isEmpty else { throw ValidationError("nothing to evaluate: give --tasks or --text") }
            let wantsKL = inputs.contains(where: \.kl)
            if wantsKL && quantization.quant == nil {
                throw ValidationError("KL divergence compares a quantized model with its base model: give --quant SPEC")
            }
            // The unquantized model, loaded a second time, is the reference for KL.
            let base = wantsKL ? try ModelLoader.load(path: modelPath) : nil

            let quantReport = try quantization.apply(to: loaded, assets: assets, showProgress: !quiet)
            let evaluator = PerplexityEvaluator(model: loaded.model)
            var results: [(String, PerplexityResult)] = []
            var divergences: [String: KLDivergenceResult] = [:]
            for (name, body, source, klTask) in inputs {
                let tokens = loaded.tokenizer.encode(body, addSpecial: true)
                do {
                    if klTask, let base {
                        // One pass of each model gives both the KL and the quantized perplexity.
                        let d = try KLDivergenceEvaluator(base: base.model, quantized: loaded.model)
                            .evaluate(tokens: tokens, options: options, label: "kl:" + name, showProgress: !quiet)
                        divergences[name] = d
                        results.append((name, PerplexityResult(
                            perplexity: d.quantizedPerplexity, tokens: d.tokens, windows: d.windows,
                            meanNLL: log(d.quantizedPerplexity), seconds: d.seconds,
                            tokensPerSecond: Double(d.windows * ctx) / max(d.seconds, 1e-9))))
                    } else {
                        let r = try evaluator.evaluate(tokens: tokens, options: options, label: name, showProgress: !quiet)
                        results.append((name, r))
                    }
                } catch let e as PerplexityError {
                    throw PerplexityError("\(source): \(e.message)")
                }
            }
            let zeroShotResults = try zeroShot.evaluate(zeroShotTasks, loaded: loaded, maxLength: context ?? maxContext, quiet: quiet)
            let totalTokens = results.reduce(0.0) { $0 + $1.1.tokensPerSecond * $1.1.seconds }
            let totalSeconds = results.reduce(0.0) { $0 + $1.1.seconds }
            let report = EvalReport(
                model: modelPath, architecture: loaded.model.architecture, context: ctx, mode: mode.description,
                tasks: Dictionary(results.map {
                    ($0.0, .perplexity(EvalReport.Task(perplexity: $0.1.perplexity, tokens: $0.1.tokens, windows: $0.1.windows,
                                                       kl: divergences[$0.0])))
                } + zeroShotResults.map { ($0.task, .zeroShot(ZeroShotReport(result: $0))) }) { first, _ in first },
                taskOrder: results.map(\.0) + zeroShotResults.map(\.task), quant: quantReport,
                kl: divergences.isEmpty ? nil : EvalReport.KLSummary(divergences.values),
                tokensPerSecond: totalSeconds > 0 ? totalTokens / totalSeconds : 0)
            print(format == "json" ? try report.json() : report.table())
        }
    }
}
