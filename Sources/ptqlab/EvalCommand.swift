import ArgumentParser
import Evaluation
import Experiment
import Foundation

/// `ptqlab eval`: one experiment (an optional quantization recipe and an evaluation plan) run
/// through the experiment pipeline, printed as a table or JSON. The command only parses and prints.
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

    @Option(parsing: .unconditional, help: "Window length in tokens (default 2048, capped by the model); zero-shot requests are truncated to it too (default: the model's context).")
    var context: Int?

    @Option(parsing: .unconditional, help: "Evaluate at most this many windows per task.")
    var maxWindows: Int?

    @Option(parsing: .unconditional, help: "Sliding-window mode (Hugging Face style): start a window every N tokens, score only new tokens.")
    var stride: Int?

    @Option(help: "Perplexity protocol: 'standard' (non-overlapping windows, GPTQ convention) or 'llamacpp' (llama.cpp half-window: BOS first, score the second half).")
    var pplMode: String = "standard"

    @Option(parsing: .unconditional, help: "Windows per forward pass.")
    var batch: Int = 4

    @Option(help: "Output format: text or json.")
    var format: String = "text"

    @Flag(help: "With --quant: also KL divergence and top-1 agreement against the unquantized model on every perplexity task (or name single tasks as kl:wiki).")
    var kl = false

    @Flag(help: "Evaluate a GGUF file as llama.cpp's CPU backend computes it: each linear layer's input (and the LM head's) rounded to the weight type's dot-product type first (Q8_0 blocks for Q4_0/Q5_0/Q8_0/IQ4_NL, Q8_1 for Q4_1/Q5_1, Q8_K for K-quants, f16/bf16 for f16/bf16), so perplexity on a quantized file is what llama-perplexity measures. Not with --quant.")
    var llamacppArithmetic = false

    @Flag(help: "No progress line on stderr.")
    var quiet = false

    @OptionGroup var residency: WeightsOption

    @OptionGroup var quantization: QuantOptions

    @OptionGroup(title: "Zero-shot tasks") var zeroShot: ZeroShotArguments

    func run() throws {
        try runReportingErrors {
            try residency.apply()
            guard format == "text" || format == "json" else {
                throw ValidationError("--format must be text or json, got '\(format)'")
            }
            guard batch >= 1 else { throw ValidationError("--batch must be at least 1, got \(batch)") }
            let recipe = try quantization.recipe()
            let plan = try evaluationPlan(quantized: recipe != nil)
            let assets = AssetLocator()
            let session = try ModelSession(name: try model ?? assets.defaultModel, assets: assets, reusable: false)
            let pipeline = ExperimentPipeline(session: session, options: RunOptions(
                batchWindows: batch, zeroShotBatchTokens: zeroShot.zeroShotBatchTokens,
                sharePrefixes: !zeroShot.noPrefixSharing, showProgress: !quiet, llamaCppArithmetic: llamacppArithmetic))
            let result = try pipeline.run(recipe: recipe, plan: plan)
            if let quant = result.metrics.quantization, let warning = QuantOptions.gridWarning(quant) { printStderr(warning) }
            let report = EvalReport(model: session.loaded.path, architecture: session.loaded.model.architecture,
                                    weights: session.loaded.residency.rawValue, plan: plan,
                                    metrics: result.metrics, zeroShot: result.zeroShot)
            print(format == "json" ? try report.json() : report.table())
        }
    }

    /// The evaluation plan these options describe.
    func evaluationPlan(quantized: Bool) throws -> EvaluationPlan {
        let taskNames = tasks.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            ?? (text.isEmpty ? Corpora.builtInNames : [])
        let (corpusNames, zeroShotNames) = try ZeroShotArguments.partition(taskNames)
        try zeroShot.validate(zeroShotTasks: zeroShotNames)
        var corpora: [String] = [], klCorpora: [String] = []
        for entry in corpusNames {
            let klTask = entry.hasPrefix("kl:")
            let name = klTask ? String(entry.dropFirst(3)) : entry
            if !corpora.contains(name) { corpora.append(name) }
            if (kl || klTask) && !klCorpora.contains(name) { klCorpora.append(name) }
        }
        for path in text {
            corpora.append("file:" + path)
            if kl { klCorpora.append("file:" + path) }
        }
        guard !corpora.isEmpty || !zeroShotNames.isEmpty else { throw ValidationError("nothing to evaluate: give --tasks or --text") }
        if !klCorpora.isEmpty && !quantized {
            throw ValidationError("KL divergence compares a quantized model with its base model: give --quant SPEC")
        }
        var mode: String? = nil
        switch pplMode {
        case "standard": break
        case "llamacpp": mode = "llamacpp"
        default: throw ValidationError("--ppl-mode must be 'standard' or 'llamacpp', got '\(pplMode)'")
        }
        if let stride {
            guard mode == nil else { throw ValidationError("--stride cannot be combined with --ppl-mode llamacpp") }
            mode = "stride:\(stride)"
        }
        return EvaluationPlan(context: context, corpora: corpora, maxWindows: maxWindows, perplexityMode: mode,
                              zeroShotTasks: zeroShotNames, limit: zeroShot.limit, subsetSeed: zeroShot.subsetSeed,
                              calibratedZeroShot: zeroShot.calibrated, klCorpora: klCorpora, klMaxWindows: maxWindows)
    }
}
