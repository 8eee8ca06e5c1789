import Calibration
import Evaluation
import Foundation
import Models

/// One model loaded once for all of its experiments, with what they share: the pristine weights,
/// the tokenized held-out corpora, the calibration sets, the zero-shot tasks, and (for KL) a
/// second, never-quantized copy loaded on first use.
final class ModelSession {
    let name: String
    let loaded: LoadedModel
    let snapshot: WeightSnapshot
    let assets: AssetLocator
    private var baseCopy: LoadedModel?
    private var corpusTokens: [String: [Int32]] = [:]
    private var calibrationSets: [CalibrationSettings: CalibrationSet] = [:]
    private var zeroShotTasks: [String: ZeroShotTask] = [:]
    private var baseHessians: [CalibrationSettings: BaseModelHessians] = [:]

    init(name: String, assets: AssetLocator) throws {
        self.name = name
        self.assets = assets
        loaded = try ModelLoader.load(path: name)
        snapshot = WeightSnapshot(loaded.model)
    }

    /// The unquantized reference for KL divergence (a second load, kept for the session).
    func base() throws -> LoadedModel {
        if let baseCopy { return baseCopy }
        let copy = try ModelLoader.load(path: name)
        baseCopy = copy
        return copy
    }

    /// The evaluation part of a corpus, tokenized as the model does (once).
    func tokens(corpus: String) throws -> [Int32] {
        if let cached = corpusTokens[corpus] { return cached }
        let tokens = loaded.tokenizer.encode(try Corpora.load(corpus, assets: assets).evaluation, addSpecial: true)
        corpusTokens[corpus] = tokens
        return tokens
    }

    func calibration(_ settings: CalibrationSettings) throws -> CalibrationSet {
        if let cached = calibrationSets[settings] { return cached }
        let corpus = try Corpora.load(settings.corpus, assets: assets)
        let set = try CalibrationSet(tokens: loaded.tokenizer.encode(corpus.calibration, addSpecial: true),
                                     count: settings.samples, length: settings.length, seed: settings.seed)
        calibrationSets[settings] = set
        return set
    }

    /// Hessians of the unquantized model for non-sequential calibration, computed on first use;
    /// call only while the model holds its base weights.
    func hessians(_ settings: CalibrationSettings, showProgress: Bool) throws -> BaseModelHessians {
        if let cached = baseHessians[settings] { return cached }
        let progress = ProgressLine(label: "base Hessians", total: loaded.model.blockCount, unit: "block", enabled: showProgress)
        let h = try BaseModelHessians(model: loaded.model, calibration: try calibration(settings)) { done, _ in
            progress.update(done: done, units: done)
        }
        baseHessians[settings] = h
        return h
    }

    func zeroShotTask(_ name: String) throws -> ZeroShotTask {
        if let cached = zeroShotTasks[name] { return cached }
        let task = try ZeroShotTasks.load(name, assets: assets)
        zeroShotTasks[name] = task
        return task
    }

    /// Window length for a plan: its context, or 2048, capped by the model.
    func context(_ plan: EvaluationPlan) -> Int { min(plan.context ?? 2048, loaded.model.maxContext) }
}
