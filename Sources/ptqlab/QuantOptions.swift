import ArgumentParser
import Calibration
import Distillation
import Evaluation
import Foundation
import Quantization

/// `--quant SPEC --method … [options]`: the quantization recipe of `eval`, `quantize` and `bench --gptq`.
/// It only parses: the experiment pipeline (`ExperimentPipeline.quantize`) runs it.
struct QuantOptions: ParsableArguments {
    @Option(help: "Quantization spec, e.g. w4a16-g128-asym, w3a16-row-asym (see QuantSpec for the grammar), or a ggml block type (q2_k, q3_k, q4_k, q5_k, q6_k, q4_0, q4_1, q5_0, q5_1, q8_0): weights on exactly the grid that type stores in a GGUF, or one of llama.cpp's type mixes (q2_k, q3_k_s, q3_k_m, q3_k_l, q4_k_s, q4_k_m, q5_k_s, q5_k_m): llama-quantize's per-tensor types, embedding and output included.")
    var quant: String?

    @Option(help: "Method: rtn, gptq, imatrix (ggml block types only: llama.cpp's importance-weighted search, the importance being the calibration activations' mean square per column, as llama-imatrix measures it), zq-local (ZeroQuant local: gradient descent on ‖WX − Q(W)X‖² through the Hessian; on ggml types, codes learned under the imatrix search's block headers), zq-global (ZeroQuant-Global: each quantized block trained to reproduce the full-precision block's output; integer schemes only), awq (AWQ: activation-aware per-channel scales and clipping, then RTN) or smoothquant (SmoothQuant: activation outliers migrated into the weights, then RTN; made for W8A8 with static per-tensor activations).")
    var method: String = "gptq"

    @Option(parsing: .unconditional, help: "zq-global: Adam updates per block (default 100).")
    var zqSteps: Int?

    @Option(parsing: .unconditional, help: "zq-global: peak learning rate in grid steps of each weight's group (default 0.05, cosine decay).")
    var zqLr: Double?

    @Option(parsing: .unconditional, help: "zq-global: calibration windows per update (default 4).")
    var zqBatch: Int?

    @Flag(help: "zq-global: the group scales learn too (LSQ), not only the weights.")
    var zqLearnScales = false

    @Option(parsing: .unconditional, help: "zq-global: seed of the minibatch order (default 0).")
    var zqSeed: UInt64?

    @Option(parsing: .unconditional, help: "zq-global: Adam updates of a final whole-model pass distilling the full-precision model's logits (KL) into every quantized linear at once, after the block-by-block stage (default 0: no such pass).")
    var zqLogitSteps: Int?

    @Option(parsing: .unconditional, help: "zq-global: peak learning rate of the logit pass, in grid steps (default 0.02, cosine decay).")
    var zqLogitLr: Double?

    @Flag(help: "Run AWQ's scales and clipping before the method (rtn, gptq, zq-local); --method awq implies it.")
    var awq = false

    @Option(parsing: .unconditional, help: "AWQ: exponents searched per input group, α = i/N for i < N (default 20).")
    var awqGrid: Int?

    @Flag(help: "AWQ: skip the weight-clipping search (llm-awq's mse_range off).")
    var awqNoClip = false

    @Flag(help: "Run SmoothQuant's smoothing before the method (rtn, gptq, zq-local); --method smoothquant implies it.")
    var smoothquant = false

    @Option(parsing: .unconditional, help: "SmoothQuant: migration strength α in s = max|X|^α / max|W|^(1−α) (default 0.5).")
    var sqAlpha: Double?

    @Option(name: .customLong("target-bpw"), help: "With a ggml spec or mix (q4_k, q4_k_m, …): choose each block linear's ggml type (Q2_K…Q6_K, Q8_0) from its measured sensitivity so the block linears take this many bits per weight (the mix's embedding and output types are kept).")
    var targetBpw: Double?

    @Option(name: .customLong("override"), help: ArgumentHelp("Per-layer override (mixed precision), repeatable, first match wins: PATTERN=SPEC[:METHOD], e.g. '*.down_proj=w8a16-row-asym', '*.{last}.*=w8a16-row-asym:rtn', '*.o_proj=w16a16' (left in full precision). PATTERN is a glob over Hugging Face layer names ({first}/{last}: the first/last block's index).", valueName: "PATTERN=SPEC[:METHOD]"))
    var overrides: [String] = []

    @Option(help: "Also quantize the token embedding (weight-only spec, round to nearest), e.g. w8a16-row-sym; a tied LM head changes with it.")
    var quantEmbedding: String?

    @Option(help: "Also quantize the LM head (weight-only spec, round to nearest), e.g. w8a16-g128-asym; for a tied head this is the embedding.")
    var quantHead: String?

    @Flag(help: "GPTQ: process columns in order of decreasing Hessian diagonal.")
    var actOrder = false

    @Flag(help: "GPTQ with groups: find every group's scale and zero up front (static groups), as the reference's --static-groups.")
    var staticGroups = false

    @Flag(inversion: .prefixedNo, help: "Sequential calibration: quantize each block's layers in true-sequential order (attention inputs, attention output, MLP inputs, MLP output, each calibrated on the outputs of the quantized layers before it; the default, as the GPTQ reference's --true-sequential); --no-true-sequential probes each block once with its unquantized weights.")
    var trueSequential = true

    @Option(parsing: .unconditional, help: "GPTQ: relative damping, a fraction of the mean Hessian diagonal (default 0.01).")
    var damping: Double?

    @Flag(help: "RTN: search the clipping range per group (GPTQ's MSE grid) instead of min/max.")
    var mseClip = false

    @Option(parsing: .unconditional, help: "Add a rank-R LoRC correction on top of the method.")
    var lorc: Int?

    @Option(parsing: .unconditional, help: "LoRC factor bits: 2…8 (per-row symmetric, default 8) or 16 (f16 factors).")
    var lorcBits: Int?

    @Option(help: "Calibration corpus (its calibration part): wiki, news or books.")
    var calib: String = "wiki"

    @Option(parsing: .unconditional, help: "Calibration windows.")
    var calibSamples: Int = 128

    @Option(parsing: .unconditional, help: "Tokens per calibration window.")
    var calibLength: Int = 512

    @Option(parsing: .unconditional, help: "Seed for choosing calibration windows.")
    var seed: UInt64 = 0

    /// The parsed `--quant` spec.
    /// The spec (for a llama.cpp mix such as q4_k_m: its base type; the recipe adds the mix's rules).
    func parsedSpec() throws -> QuantSpec {
        guard let quant else { throw ValidationError("--quant SPEC is required, e.g. --quant w4a16-g32-asym") }
        if let mix = LlamaCppMix(name: quant) { return QuantSpec(weight: WeightScheme(ggml: mix.base)) }
        return try QuantSpec.parse(quant)
    }

    /// The recipe these options name (nil without --quant), with its calibration settings when it calibrates.
    func recipe() throws -> QuantRecipe? {
        guard quant != nil else { return nil }
        let spec = try parsedSpec()
        guard QuantRecipe.methods.contains(method) else {
            throw ValidationError("--method must be \(QuantRecipe.methods.joined(separator: ", ")), got '\(method)'")
        }
        guard Corpora.builtInNames.contains(calib) else {
            throw ValidationError("--calib must be one of \(Corpora.builtInNames.joined(separator: ", ")), got '\(calib)'")
        }
        let zqOptions = zqSteps != nil || zqLr != nil || zqBatch != nil || zqLearnScales || zqSeed != nil
            || zqLogitSteps != nil || zqLogitLr != nil
        if zqOptions && method != "zq-global" {
            throw ValidationError("--zq-steps, --zq-lr, --zq-batch, --zq-learn-scales, --zq-seed, --zq-logit-steps and --zq-logit-lr are zq-global options; --method is \(method)")
        }
        let d = ZeroQuantGlobalSettings()
        let zq = method == "zq-global"
            ? ZeroQuantGlobalSettings(steps: zqSteps ?? d.steps, learningRate: zqLr ?? d.learningRate, batch: zqBatch ?? d.batch,
                                      learnScales: zqLearnScales, seed: zqSeed ?? d.seed,
                                      logitSteps: zqLogitSteps ?? d.logitSteps, logitLearningRate: zqLogitLr ?? d.logitLearningRate)
            : nil
        if (awqGrid != nil || awqNoClip) && !(awq || method == "awq") {
            throw ValidationError("--awq-grid and --awq-no-clip are AWQ options: use --method awq or --awq")
        }
        let awqSettings = awq || method == "awq"
            ? AWQSettings(grid: awqGrid ?? AWQSettings.defaultGrid, clip: !awqNoClip) : nil
        if sqAlpha != nil && !(smoothquant || method == "smoothquant") {
            throw ValidationError("--sq-alpha is a SmoothQuant option: use --method smoothquant or --smoothquant")
        }
        let sqSettings = smoothquant || method == "smoothquant"
            ? SmoothQuantSettings(alpha: sqAlpha ?? SmoothQuantSettings.defaultAlpha) : nil
        var recipe = QuantRecipe(spec: LlamaCppMix(name: quant ?? "") != nil ? quant! : spec.description, method: method, actOrder: actOrder, mseClip: mseClip, lorcRank: lorc,
                                 staticGroups: staticGroups, damping: damping, lorcFactorBits: lorcBits, zqGlobal: zq,
                                 awq: awqSettings, smoothQuant: sqSettings,
                                 overrides: try overrides.map { text in
                                     do { return try LayerOverride.parse(text) } catch { throw ValidationError("--override \(text): \(error)") }
                                 },
                                 embedding: quantEmbedding, head: quantHead, targetBitsPerWeight: targetBpw)
        if let problem = recipe.problem() { throw ValidationError(problem) }
        if try recipe.needsCalibration() {
            recipe.calibration = CalibrationSettings(corpus: calib, samples: calibSamples, length: calibLength, seed: seed,
                                                     trueSequential: trueSequential)
        } else if !trueSequential {
            throw ValidationError("--no-true-sequential is a calibration option; \(method) with \(spec) does not calibrate")
        }
        return recipe
    }

    /// The warning printed when a scheme lies on the base model's storage grid.
    static func gridWarning(_ report: QuantizationReport) -> String? {
        guard report.gridAligned else { return nil }
        return "warning: \(report.spec) lies on the base model's own storage grid (RTN reproduces "
            + String(format: "%.1f%%", 100 * report.gridFit) + " of the \(report.baseStorage.joined(separator: ", ")) weights): "
            + "its error is understated (not representative of a full-precision model)"
    }
}
