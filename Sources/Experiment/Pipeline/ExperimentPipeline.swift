import Calibration
import Evaluation
import Export
import Foundation
import Models
import Quantization

/// How the work of an experiment is batched and shown: nothing here changes a number.
public struct RunOptions: Sendable {
    /// Perplexity windows per forward pass.
    public var batchWindows: Int
    /// Zero-shot tokens per forward pass, and whether choices share their context's run.
    public var zeroShotBatchTokens: Int
    public var sharePrefixes: Bool
    public var showProgress: Bool
    /// Evaluate a GGUF file with llama.cpp's CPU activation rounding (`LlamaCppArithmetic`);
    /// only for the file as stored (no recipe).
    public var llamaCppArithmetic: Bool

    public init(batchWindows: Int = 4, zeroShotBatchTokens: Int = 2048, sharePrefixes: Bool = true, showProgress: Bool = true,
                llamaCppArithmetic: Bool = false) {
        self.batchWindows = batchWindows
        self.zeroShotBatchTokens = zeroShotBatchTokens
        self.sharePrefixes = sharePrefixes
        self.showProgress = showProgress
        self.llamaCppArithmetic = llamaCppArithmetic
    }
}

/// A quantization's outputs: the report (for rows and JSON) and the per-layer results (for export).
public struct QuantizationOutcome: Sendable {
    public var report: QuantizationReport
    public var summary: QuantizationSummary
}

/// What one experiment produced: its metrics (the quantization report inside), the zero-shot
/// results in full (for `eval`'s output), and where its time went.
public struct ExperimentResult: Sendable {
    public var metrics: ExperimentMetrics
    /// Zero-shot results in plan order.
    public var zeroShot: [ZeroShotResult]
    /// The quantization's per-layer results (nil for the base model).
    public var summary: QuantizationSummary?
    public var quantizeSeconds: Double
    public var evaluateSeconds: Double
}

/// The one experiment pipeline: (model session, recipe, evaluation plan) → metrics + quantization
/// report. `ptqlab eval` runs one experiment through it, a study runs every experiment of its grid
/// through it, `quantize` and `bench --gptq` use its quantization step.
///
///     prepare(plan)      context, inputs and tasks checked and loaded (fails before any work)
///     quantize(recipe)   base weights restored; grid fit measured; calibration set (and shared
///                        Hessians) from the session; the recipe run block by block
///     measure(plan)      KL inputs (which also give the quantized perplexity on the same
///                        windows), the other perplexity inputs, the zero-shot tasks
public struct ExperimentPipeline {
    public let session: ModelSession
    public var options: RunOptions

    public init(session: ModelSession, options: RunOptions = RunOptions()) {
        self.session = session
        self.options = options
    }

    /// Quantizes (unless `recipe` is nil) and measures.
    public func run(recipe: QuantRecipe?, plan: EvaluationPlan) throws -> ExperimentResult {
        if options.llamaCppArithmetic && recipe != nil {
            throw PlanError("llama.cpp arithmetic evaluates a GGUF file as stored: write the quantized model with `ptqlab quantize … --out x.gguf`, then evaluate x.gguf")
        }
        try prepare(plan, quantized: recipe != nil)
        var outcome: QuantizationOutcome? = nil
        if let recipe {
            outcome = try quantize(recipe)
        } else {
            try session.restoreBaseWeights()
        }
        var arithmetic: LlamaCppArithmetic.Installed? = nil
        if options.llamaCppArithmetic {
            arithmetic = try LlamaCppArithmetic.install(on: session.loaded.model, ggufPath: session.loaded.path)
        }
        defer { if arithmetic != nil { LlamaCppArithmetic.remove(from: session.loaded.model) } }
        let start = Date()
        var (metrics, zeroShot) = try measure(plan, quantized: recipe != nil, activation: try recipe?.parsedSpec().activation)
        metrics.llamaCppArithmetic = arithmetic?.description
        metrics.quantization = outcome?.report
        return ExperimentResult(metrics: metrics, zeroShot: zeroShot, summary: outcome?.summary,
                                quantizeSeconds: outcome?.report.seconds ?? 0, evaluateSeconds: Date().timeIntervalSince(start))
    }

    /// Checks the plan against the model and loads what it needs (tokenized inputs, zero-shot
    /// tasks), so a bad input fails before minutes of quantization. KL inputs are measured only
    /// for a quantized model (the base row of a plan with KL has nothing to compare with).
    public func prepare(_ plan: EvaluationPlan, quantized: Bool) throws {
        _ = try session.context(plan)
        _ = try plan.mode()
        for input in plan.corpora + plan.klCorpora {
            if !input.hasPrefix("file:") && !Corpora.builtInNames.contains(input) {
                throw PlanError("unknown perplexity corpus '\(input)' (corpora: \(Corpora.builtInNames.joined(separator: ", ")), or file:PATH)")
            }
            _ = try session.tokens(input: input)
        }
        if let limit = plan.limit, limit <= 0 { throw PlanError("the zero-shot limit must be positive, got \(limit)") }
        for task in plan.zeroShotTasks { _ = try session.zeroShotTask(task, calibrated: plan.calibratedZeroShot == true) }
        // The base model's side of KL, from the base weights, before they are quantized.
        if quantized {
            let options = try klOptions(plan)
            for input in plan.klCorpora {
                _ = try session.baseLogits(input: input, options: options, showProgress: self.options.showProgress)
            }
        }
    }

    /// Windows of the KL inputs (the same for the base logits and the quantized pass).
    func klOptions(_ plan: EvaluationPlan) throws -> PerplexityOptions {
        let bos = session.loaded.tokenizer.addsBos ? session.loaded.tokenizer.bosTokenId : nil
        return PerplexityOptions(context: try session.context(plan), maxWindows: plan.klMaxWindows, mode: try plan.mode(),
                                 batchWindows: options.batchWindows, bosToken: bos)
    }

    /// Quantizes the session's model by `recipe` (from its base weights), reporting progress per block.
    public func quantize(_ recipe: QuantRecipe) throws -> QuantizationOutcome {
        if let problem = recipe.problem() { throw PlanError(problem) }
        let loaded = session.loaded
        let spec = try recipe.parsedSpec()
        let linears = (0..<loaded.model.blockCount).flatMap { loaded.model.linears(ofBlock: $0) }
        if let problem = QuantRecipe.shapeProblem(spec.weight, lorcRank: recipe.lorcRank, model: session.name,
                                                  minInFeatures: linears.map(\.inFeatures).min() ?? 0,
                                                  minDimension: linears.map { min($0.inFeatures, $0.outFeatures) }.min() ?? 0) {
            throw PlanError(problem)
        }
        try session.restoreBaseWeights()
        let fit = try session.gridFit(spec.weight)
        var calibration: CalibrationSet? = nil
        if try recipe.needsCalibration() {
            guard let settings = recipe.calibration else {
                throw PlanError("\(recipe.spec) \(recipe.methodLabel) calibrates: give its calibration settings")
            }
            calibration = try session.calibration(settings)
        }
        var shared: BaseModelHessians? = nil
        if let settings = recipe.calibration, !settings.isSequential, recipe.methodNeedsHessian {
            shared = try session.hessians(settings, showProgress: options.showProgress)
        }
        // zq-global's logit pass reports its steps after the blocks.
        let logitSteps = recipe.zqGlobal?.logitSteps ?? 0
        // AWQ's scale search and SmoothQuant's statistics run over the blocks before the quantizer does.
        let scaling = recipe.awq != nil ? "AWQ" : recipe.smoothQuant != nil ? "SmoothQuant" : nil
        let passes = scaling == nil ? 1 : 2, blocks = loaded.model.blockCount
        let progress = ProgressLine(label: "quantize \(recipe.methodLabel)"
                                        + (logitSteps > 0 ? " (\(blocks) blocks, then \(logitSteps) logit steps)" : "")
                                        + (scaling.map { " (\($0) over \(blocks) blocks, then quantization)" } ?? ""),
                                    total: passes * blocks + logitSteps, unit: logitSteps > 0 || passes == 2 ? "stage" : "block",
                                    enabled: options.showProgress)
        session.markModified()
        for table in recipe.tokenTablesToPreserve(in: loaded.model) { session.preserve(table) }
        // a layer the checkpoint already stores in its target ggml type keeps its blocks
        let stored = try StoredWeightBlocks(path: loaded.path)
        let summary = try recipe.run(on: loaded.model, calibration: calibration, baseHessians: shared, storedBlocks: stored) { done, _ in
            progress.update(done: done, units: done)
        }
        var report = try QuantizationReport(recipe: recipe, summary: summary, baseStorage: loaded.blockWeightStorage, gridFit: fit)
        report.storedBits = ExportedBits.of(summary, actOrder: recipe.actOrder)
        let storage = try session.sourceStorage()
        report.modelBytes = summary.quantizedBytes + summary.tokenTableBytes + 2 * (storage.otherParameters - summary.tokenTableWeights)
        return QuantizationOutcome(report: report, summary: summary)
    }

    /// Runs the plan's measurements on the session's model as it stands (quantized or not).
    /// `activation`: the model's activation quantization, if any. Dynamic per-tensor ranges are
    /// taken per sequence, and a shared zero-shot prefix runs apart from its continuations, so
    /// prefix sharing is off for them (each request then runs whole, as alone).
    public func measure(_ plan: EvaluationPlan, quantized: Bool,
                        activation: ActivationScheme? = nil) throws -> (ExperimentMetrics, [ZeroShotResult]) {
        let loaded = session.loaded
        let context = try session.context(plan)
        var metrics = ExperimentMetrics(context: context)
        let bos = loaded.tokenizer.addsBos ? loaded.tokenizer.bosTokenId : nil
        let mode = try plan.mode()
        let pplOptions = PerplexityOptions(context: context, maxWindows: plan.maxWindows, mode: mode,
                                           batchWindows: options.batchWindows, bosToken: bos)
        let klOptions = try klOptions(plan)
        func named<T>(_ input: String, _ body: () throws -> T) throws -> T {
            do { return try body() } catch let e as PerplexityError {
                throw PerplexityError("\(input.hasPrefix("file:") ? String(input.dropFirst(5)) : "corpus \(input)"): \(e.message)")
            }
        }
        if quantized {
            var windows: [String: KLWindowValues] = [:]
            for input in plan.klCorpora {
                let label = EvaluationPlan.label(of: input)
                // Computed by `prepare` from the base weights (here only read back from its file).
                let base = try session.baseLogits(input: input, options: klOptions, showProgress: options.showProgress,
                                                  mayCompute: false)
                let d = try named(input) {
                    try KLDivergenceEvaluator(base: base, quantized: loaded.model)
                        .evaluate(tokens: try session.tokens(input: input), options: klOptions, label: "kl:\(label)",
                                  showProgress: options.showProgress)
                }
                metrics.kl[label] = d
                windows[label] = d.perWindow
                // The same pass gives the quantized perplexity when the windows are the same.
                if plan.corpora.contains(input) && plan.klMaxWindows == plan.maxWindows {
                    metrics.perplexity[label] = .init(d, context: context)
                }
            }
            if !windows.isEmpty { metrics.klWindows = windows }
        }
        let evaluator = PerplexityEvaluator(model: loaded.model)
        for input in plan.corpora where metrics.perplexity[EvaluationPlan.label(of: input)] == nil {
            let label = EvaluationPlan.label(of: input)
            let r = try named(input) {
                try evaluator.evaluate(tokens: try session.tokens(input: input), options: pplOptions, label: label,
                                       showProgress: options.showProgress)
            }
            metrics.perplexity[label] = .init(r)
        }
        var zeroShot: [ZeroShotResult] = []
        if !plan.zeroShotTasks.isEmpty {
            let evaluator = ZeroShotEvaluator(model: loaded.model, tokenizer: loaded.tokenizer)
            let calibrated = plan.calibratedZeroShot == true
            let zsOptions = ZeroShotOptions(limit: plan.limit, subsetSeed: plan.subsetSeed, calibrated: calibrated,
                                            batchTokens: options.zeroShotBatchTokens,
                                            sharePrefixes: options.sharePrefixes && !(activation?.rangeSpansSequence ?? false),
                                            maxLength: try session.zeroShotLength(plan))
            for name in plan.zeroShotTasks {
                let task = try session.zeroShotTask(name, calibrated: calibrated)
                if calibrated && !task.hasUnconditional && task.kind == .multipleChoice {
                    FileHandle.standardError.write(Data("note: \(task.name) has no unconditional requests: no acc_uncond\n".utf8))
                }
                let r = try evaluator.evaluate(task, options: zsOptions, showProgress: options.showProgress)
                metrics.zeroShot[name] = .init(r)
                zeroShot.append(r)
            }
        }
        return (metrics, zeroShot)
    }
}
