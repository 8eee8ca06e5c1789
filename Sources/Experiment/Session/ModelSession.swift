import Calibration
import Evaluation
import Foundation
import Models
import Quantization
import TensorCore

/// One model loaded once for all of its experiments, with what they share: the pristine weights
/// (a snapshot, when more than one experiment will run), the tokenized inputs, the calibration
/// sets, the zero-shot tasks, the base model's Hessians, grid measurements, and (for KL) a second,
/// never-quantized copy loaded on first use.
public final class ModelSession {
    /// The model as it was named (an installed name or a path).
    public let name: String
    public let loaded: LoadedModel
    public let assets: AssetLocator
    private let snapshot: WeightSnapshot?
    /// False once the block linears hold anything but the base weights.
    public private(set) var isPristine = true
    private var baseCopy: LoadedModel?
    private var inputTokens: [String: [Int32]] = [:]
    private var calibrationSets: [CalibrationSettings: CalibrationSet] = [:]
    private var zeroShotTasks: [String: ZeroShotTask] = [:]
    private var baseHessians: [CalibrationSettings: BaseModelHessians] = [:]
    private var gridFits: [WeightScheme: GridFit] = [:]
    private var storage: SourceStorage?

    /// Loads `name`. With `reusable`, a copy of the block weights is kept so the model can be
    /// restored between experiments (a study); without it (one `eval`), the model serves one
    /// quantization only.
    public init(name: String, assets: AssetLocator = AssetLocator(), reusable: Bool = true) throws {
        self.name = name
        self.assets = assets
        loaded = try ModelLoader.load(path: name)
        snapshot = reusable ? WeightSnapshot(loaded.model) : nil
    }

    /// Puts the base weights back (and removes activation fake-quantization).
    public func restoreBaseWeights() throws {
        guard !isPristine else { return }
        guard let snapshot else {
            throw PlanError("\(name): this session quantizes once; open a reusable session to run several experiments")
        }
        snapshot.restore()
        isPristine = true
    }

    /// Keeps a copy of a tensor outside the block linears that a quantization is about to change
    /// (the token embedding or LM head), restored with the base weights; `restored` runs after.
    func preserve(_ tensor: Tensor, restored: @escaping () -> Void) { snapshot?.preserve(tensor, restored: restored) }

    /// Marks the block linears as changed (a quantization ran).
    func markModified() { isPristine = false }

    /// The unquantized reference for KL divergence (a second load, kept for the session).
    public func base() throws -> LoadedModel {
        if let baseCopy { return baseCopy }
        let copy = try ModelLoader.load(path: name)
        baseCopy = copy
        return copy
    }

    /// The evaluation text of a perplexity input (a built-in corpus's held-out part, or a whole
    /// `file:PATH`), tokenized as the model does (once).
    public func tokens(input: String) throws -> [Int32] {
        if let cached = inputTokens[input] { return cached }
        let text: String
        if input.hasPrefix("file:") {
            text = try TextFile.load(path: String(input.dropFirst(5))).evaluation
        } else {
            text = try Corpora.load(input, assets: assets).evaluation
        }
        let tokens = loaded.tokenizer.encode(text, addSpecial: true)
        inputTokens[input] = tokens
        return tokens
    }

    /// GPTQ-style calibration windows from a corpus's calibration part (built once per settings).
    public func calibration(_ settings: CalibrationSettings) throws -> CalibrationSet {
        if let cached = calibrationSets[settings] { return cached }
        let corpus = try Corpora.load(settings.corpus, assets: assets)
        let set = try CalibrationSet(tokens: loaded.tokenizer.encode(corpus.calibration, addSpecial: true),
                                     count: settings.samples, length: settings.length, seed: settings.seed)
        calibrationSets[settings] = set
        return set
    }

    /// Hessians of the unquantized model for non-sequential calibration, computed on first use
    /// (the model must hold its base weights then).
    func hessians(_ settings: CalibrationSettings, showProgress: Bool) throws -> BaseModelHessians {
        if let cached = baseHessians[settings] { return cached }
        try restoreBaseWeights()
        let progress = ProgressLine(label: "base Hessians", total: loaded.model.blockCount, unit: "block", enabled: showProgress)
        let h = try BaseModelHessians(model: loaded.model, calibration: try calibration(settings)) { done, _ in
            progress.update(done: done, units: done)
        }
        baseHessians[settings] = h
        return h
    }

    /// A zero-shot task (with its unconditional requests when `calibrated`), loaded once.
    public func zeroShotTask(_ name: String, calibrated: Bool = false) throws -> ZeroShotTask {
        let key = calibrated ? name + "\u{0}calibrated" : name
        if let cached = zeroShotTasks[key] { return cached }
        let task = try ZeroShotTasks.load(name, assets: assets, keepUnconditional: calibrated)
        zeroShotTasks[key] = task
        return task
    }

    /// How much of the base block weights the scheme's grid reproduces (measured once per scheme,
    /// on the base weights).
    public func gridFit(_ scheme: WeightScheme) throws -> GridFit {
        if let cached = gridFits[scheme] { return cached }
        guard scheme.isQuantized else { return GridFit() }   // w16: nothing requantized
        try restoreBaseWeights()
        var fit = GridFit()
        for linear in loaded.model.linearLayers {
            do { fit.add(try GridAlignment.measure(linear.weight, scheme: scheme)) } catch {
                throw PlanError("\(linear.name): \(error)")
            }
        }
        gridFits[scheme] = fit
        return fit
    }

    /// The source file's storage (base bits and bytes, parameters outside the block linears).
    public func sourceStorage() throws -> SourceStorage {
        if let storage { return storage }
        let s = try SourceStorage(of: loaded)
        storage = s
        return s
    }

    /// Window length for a plan: its context (an error when the model's is shorter), or 2048
    /// capped by the model.
    public func context(_ plan: EvaluationPlan) throws -> Int {
        let maxContext = loaded.model.maxContext
        guard let context = plan.context else { return min(2048, maxContext) }
        guard context >= 2 else { throw PlanError("context must be at least 2 tokens, got \(context)") }
        guard context <= maxContext else {
            throw PlanError("context \(context) is larger than the model allows (\(maxContext), from \(loaded.path))")
        }
        return context
    }

    /// Zero-shot truncation length for a plan: its context when it names one, else the model's own
    /// (lm-evaluation-harness's max_length).
    public func zeroShotLength(_ plan: EvaluationPlan) throws -> Int {
        plan.context == nil ? loaded.model.maxContext : try context(plan)
    }
}
