import Calibration
import Evaluation
import Foundation
import Models
import Quantization
import TensorCore

/// One model loaded once for all of its experiments, with what they share: the pristine weights
/// (a snapshot, when more than one experiment will run), the tokenized inputs, the calibration
/// sets, the zero-shot tasks, the base model's Hessians, grid measurements, and (for KL) the base
/// model's logits on each KL input, computed once from the base weights and kept in a file (in
/// `cacheDirectory` when one is set, so other processes and shards of a study reuse it, as they
/// reuse the tokenized corpora kept there).
public final class ModelSession {
    /// The model as it was named (an installed name or a path).
    public let name: String
    public let loaded: LoadedModel
    public let assets: AssetLocator
    private let snapshot: WeightSnapshot?
    /// False once the block linears hold anything but the base weights.
    public private(set) var isPristine = true
    private var baseLogitsFiles: [BaseLogits.Key: BaseLogits] = [:]
    /// Where base logits are kept across processes (a study's `cache/`); nil: files in a temporary
    /// directory of this session, unlinked as soon as they are mapped.
    public let cacheDirectory: String?
    private var temporaryDirectory: String?
    private var inputTokens: [String: [Int32]] = [:]
    private var calibrationSets: [CalibrationSettings: CalibrationSet] = [:]
    private var zeroShotTasks: [String: ZeroShotTask] = [:]
    private var baseHessians: [CalibrationSettings: BaseModelHessians] = [:]
    private var gridFits: [WeightScheme: GridFit] = [:]
    private var storage: SourceStorage?

    /// Loads `name`. With `reusable`, a copy of the block weights is kept so the model can be
    /// restored between experiments (a study); without it (one `eval`), the model serves one
    /// quantization only.
    public init(name: String, assets: AssetLocator = AssetLocator(), reusable: Bool = true,
                cacheDirectory: String? = nil) throws {
        self.name = name
        self.assets = assets
        self.cacheDirectory = cacheDirectory
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

    /// Keeps a copy of a table outside the block linears that a quantization is about to change
    /// (the token embedding or LM head), restored with the base weights.
    func preserve(_ table: WeightMatrix) { snapshot?.preserve(table) }

    /// Marks the block linears as changed (a quantization ran).
    func markModified() { isPristine = false }

    deinit {
        if let temporaryDirectory { try? FileManager.default.removeItem(atPath: temporaryDirectory) }
    }

    /// The unquantized model's logits on the windows of a KL input: read from the cache when a
    /// file for this model, text and windowing is there, else computed from the base weights
    /// (restored first if a quantization ran) and written there. With `mayCompute` false (the
    /// model may hold a quantization that must not be undone) a missing file is an error.
    public func baseLogits(input: String, options: PerplexityOptions, showProgress: Bool,
                           mayCompute: Bool = true) throws -> BaseLogits {
        let tokens = try tokens(input: input)
        let key = try BaseLogits.key(modelIdentity: ModelIdentity.of(path: loaded.path), vocab: loaded.model.vocabularySize,
                                     tokens: tokens, options: options)
        if let cached = baseLogitsFiles[key] { return cached }
        let directory: String
        if let cacheDirectory {
            directory = cacheDirectory
        } else if let temporaryDirectory {
            directory = temporaryDirectory
        } else {
            directory = NSTemporaryDirectory() + "ptqlab-session-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            temporaryDirectory = directory
        }
        let path = directory + "/" + key.fileName
        if let found = BaseLogits.open(path: path, expecting: key) {
            baseLogitsFiles[key] = found
            return found
        }
        guard mayCompute || isPristine else {
            throw PlanError("\(name): the base model's logits on \(input) were not computed before quantizing (prepare the plan first)")
        }
        try restoreBaseWeights()
        let label = EvaluationPlan.label(of: input)
        let computed = try BaseLogits.compute(model: loaded.model, modelIdentity: key.model, tokens: tokens, options: options,
                                              path: path, label: "base logits \(label)", showProgress: showProgress)
        baseLogitsFiles[key] = computed
        if cacheDirectory == nil {
            // Private to this session: unlinked now (the mapping keeps it readable), so a killed
            // process leaves nothing behind.
            try? FileManager.default.removeItem(atPath: path)
        }
        return computed
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
        let tokens = encode(text)
        inputTokens[input] = tokens
        return tokens
    }

    /// `text` tokenized as the model does (BOS when its tokenizer adds one), through the token
    /// cache when the session has a cache directory.
    private func encode(_ text: String) -> [Int32] {
        guard let cacheDirectory else { return loaded.tokenizer.encode(text, addSpecial: true) }
        return TokenCache(directory: cacheDirectory, modelIdentity: ModelIdentity.of(path: loaded.path))
            .tokens(of: text) { loaded.tokenizer.encode($0, addSpecial: true) }
    }

    /// GPTQ-style calibration windows from a corpus's calibration part (built once per settings).
    public func calibration(_ settings: CalibrationSettings) throws -> CalibrationSet {
        if let cached = calibrationSets[settings] { return cached }
        let corpus = try Corpora.load(settings.corpus, assets: assets)
        let set = try CalibrationSet(tokens: encode(corpus.calibration),
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
            do { fit.add(try GridAlignment.measure(linear.weightForReading, scheme: scheme)) } catch {
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
