import ArgumentParser
import Calibration
import Evaluation
import Foundation
import Models
import Quantization

/// `--quant SPEC --method … [--lorc R]`: quantize the loaded model's block linears before evaluating.
struct QuantOptions: ParsableArguments {
    @Option(help: "Quantization spec, e.g. w4a16-g128-asym, w3a16-row-asym (see QuantSpec for the grammar).")
    var quant: String?

    @Option(help: "Method: rtn, gptq or zq-local (ZeroQuant local: gradient descent on ‖WX − Q(W)X‖² through the Hessian).")
    var method: String = "gptq"

    @Flag(help: "GPTQ: process columns in order of decreasing Hessian diagonal.")
    var actOrder = false

    @Flag(help: "RTN: search the clipping range per group (GPTQ's MSE grid) instead of min/max.")
    var mseClip = false

    @Option(help: "Add a rank-R LoRC correction (8-bit factors) on top of the method.")
    var lorc: Int?

    @Option(help: "Calibration corpus (its calibration part): wiki, news or books.")
    var calib: String = "wiki"

    @Option(help: "Calibration windows.")
    var calibSamples: Int = 128

    @Option(help: "Tokens per calibration window.")
    var calibLength: Int = 512

    @Option(help: "Seed for choosing calibration windows.")
    var seed: UInt64 = 0

    /// What quantizing reported, as `"quant"` in the JSON.
    typealias Report = QuantizationReport

    func apply(to loaded: LoadedModel, assets: AssetLocator, showProgress: Bool) throws -> Report? {
        guard quant != nil else { return nil }
        return try run(on: loaded, assets: assets, showProgress: showProgress).report
    }

    /// Calibration windows drawn from a corpus' calibration part, tokenized as the model does
    /// (shared by `eval --quant`, `quantize` and `bench --gptq`, so they calibrate identically).
    static func calibrationSet(from corpus: CorpusText, loaded: LoadedModel, count: Int, length: Int,
                               seed: UInt64) throws -> CalibrationSet {
        try CalibrationSet(tokens: loaded.tokenizer.encode(corpus.calibration, addSpecial: true),
                           count: count, length: length, seed: seed)
    }

    /// The parsed `--quant` spec.
    func parsedSpec() throws -> QuantSpec {
        guard let quant else { throw ValidationError("--quant SPEC is required, e.g. --quant w4a16-g32-asym") }
        return try QuantSpec.parse(quant)
    }

    /// Quantizes the loaded model's block linears in place (sequential quantization, calibrating
    /// when the method needs it) and returns the report and the per-layer results (for export).
    func run(on loaded: LoadedModel, assets: AssetLocator, showProgress: Bool) throws
        -> (report: Report, summary: QuantizationSummary) {
        let spec = try parsedSpec()
        guard QuantRecipe.methods.contains(method) else {
            throw ValidationError("--method must be rtn, gptq or zq-local, got '\(method)'")
        }
        var recipe = QuantRecipe(spec: spec.description, method: method, actOrder: actOrder, mseClip: mseClip, lorcRank: lorc)
        if let problem = recipe.problem() { throw ValidationError(problem) }
        var calibration: CalibrationSet? = nil
        if try recipe.needsCalibration() {
            let settings = CalibrationSettings(corpus: calib, samples: calibSamples, length: calibLength, seed: seed)
            recipe.calibration = settings
            calibration = try Self.calibrationSet(from: try Corpora.load(calib, assets: assets), loaded: loaded,
                                                  count: calibSamples, length: calibLength, seed: seed)
        }
        let quantizer = try recipe.makeQuantizer()
        let progress = ProgressLine(label: "quantize \(quantizer.name)", total: loaded.model.blockCount,
                                    unit: "block", enabled: showProgress)
        let summary = try recipe.run(on: loaded.model, calibration: calibration) { done, _ in progress.update(done: done, units: done) }
        let report = try Report(recipe: recipe, summary: summary, baseStorage: loaded.blockWeightStorage)
        if report.gridAligned {
            printStderr("warning: \(spec) lies on the base model's own storage grid (\(report.alignedStorage.joined(separator: ", "))): "
                        + "the base weights already fit this grid, so its error is understated (not representative of a full-precision model)")
        }
        return (report, summary)
    }
}
