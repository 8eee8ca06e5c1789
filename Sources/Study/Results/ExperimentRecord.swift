import Calibration
import Distillation
import Experiment
import Foundation

/// One finished experiment: one row of the results database, and what analysis and reports read.
/// The base (unquantized) model is an experiment too (`method == "base"`), so every ΔPPL has its
/// reference in the same database. Every recipe field that changes a result is a column, and every
/// row names its evaluation plan: analysis compares only rows of one model and one plan.
public struct ExperimentRecord: Codable, Sendable, Equatable {
    /// Stable identity: SHA-256 (hex, 16 characters) of everything that affects the result.
    public var id: String
    public var study: String
    /// The model as the study names it (`smollm2-135m` or a path), and its architecture.
    public var model: String
    public var architecture: String
    /// "base", "rtn", "gptq", "zq-local"; options are their own columns (see `methodLabel`).
    public var method: String
    /// Canonical spec, e.g. `w4a16-g128-asym`; nil for the base row.
    public var spec: String?
    /// Weight bits (nil for base), group size (nil: per-row; 0: per-tensor), symmetric grid.
    public var weightBits: Int?
    public var groupSize: Int?
    public var symmetric: Bool?
    /// 16 when activations stay in floating point.
    public var activationBits: Int
    public var lorcRank: Int?
    public var actOrder: Bool
    /// Calibration seed (nil when the method does not calibrate).
    public var seed: UInt64?
    /// Bits per block-linear weight in the paper's convention (f16 scale and zero per group); for
    /// the base row, as its source stores them (Q4_1: 5.0; f32 in older rows: 32).
    public var effectiveBits: Double
    /// Bytes of the block linears in that convention.
    public var bytes: Int
    /// The scheme lies on the base model's own storage grid (its error is understated).
    public var gridAligned: Bool
    /// Perplexity per corpus, and their mean (nil when no corpus was evaluated).
    public var perplexity: [String: Double]
    public var meanPerplexity: Double?
    /// Zero-shot score per task (see `TaskScore`).
    public var zeroShot: [String: TaskScore]
    /// Mean KL(P_base ‖ P_quant) per token and top-1 agreement over the KL corpora (nil for base).
    public var klDivergence: Double?
    public var top1Agreement: Double?
    public var quantizeSeconds: Double
    public var evaluateSeconds: Double
    /// The experiment's full configuration and every metric as JSON (what the row was computed from).
    public var configJSON: String
    public var metricsJSON: String
    /// Where and with what it ran.
    public var machine: String
    public var programVersion: String
    /// ISO-8601 UTC time the experiment finished.
    public var finishedAt: String

    // Columns added with protocol 2 (nil in rows written before them, unless recoverable from `configJSON`).

    /// Id of the evaluation plan (`EvaluationPlan.id`) and the model's content fingerprint.
    public var planID: String?
    public var modelFingerprint: String?
    /// RTN's MSE clipping search, GPTQ's static groups and relative damping, LoRC's factor bits.
    public var mseClip: Bool?
    public var staticGroups: Bool?
    public var damping: Double?
    public var lorcFactorBits: Int?
    /// Calibration corpus, windows, tokens per window, and whether it was sequential.
    public var calibrationCorpus: String?
    public var calibrationSamples: Int?
    public var calibrationLength: Int?
    public var sequential: Bool?
    /// Share of the base block weights the scheme's grid reproduces (`GridFit`).
    public var gridFit: Double?
    /// Bits per block-linear weight as a GPTQ checkpoint and as GGUF blocks store them (nil: the
    /// format cannot hold the scheme), and the ggml type.
    public var gptqBits: Double?
    public var ggufBits: Double?
    public var ggufType: String?
    /// Whole-model bytes: block linears as quantized, every other tensor at f16 (base: the source file).
    public var modelBytes: Int?
    /// All parameters of the model (the size used to compare models).
    public var parameters: Int?
    /// The method's per-layer notes (damping raised, ZQ-local keeping RTN, LoRC energy), `; `-joined.
    public var diagnostics: String?

    // Columns added with migration v4 (filled from `configJSON` for older rows).

    /// The symmetric weight grid, `full` or `narrow` (nil: asymmetric or base). Rows written before
    /// grids had names used `narrow`; their spec gains `-narrow` when read.
    public var weightGrid: String?
    /// Sequential calibration in true-sequential order (nil: no sequential calibration). Rows
    /// written before the option existed ran one probe per block (false).
    public var trueSequential: Bool?
    /// ZeroQuant-Global's knobs (zq-global rows only), from `configJSON`.
    public var zqGlobal: ZeroQuantGlobalSettings?
    /// AWQ's knobs (awq rows, and methods run after AWQ), from `configJSON`.
    public var awq: AWQSettings?
    /// SmoothQuant's knobs (smoothquant rows, and methods run after SmoothQuant), from `configJSON`.
    public var smoothQuant: SmoothQuantSettings?
    /// Per-layer overrides and token-table specs (mixed precision), from `configJSON`.
    public var overrides: [LayerOverride]?
    public var embeddingSpec: String?
    public var headSpec: String?

    public init(id: String, study: String, model: String, architecture: String, method: String, spec: String?,
                weightBits: Int?, groupSize: Int?, symmetric: Bool?, activationBits: Int, lorcRank: Int?,
                actOrder: Bool, seed: UInt64?, effectiveBits: Double, bytes: Int, gridAligned: Bool,
                perplexity: [String: Double], meanPerplexity: Double?, zeroShot: [String: TaskScore],
                klDivergence: Double?, top1Agreement: Double?, quantizeSeconds: Double, evaluateSeconds: Double,
                configJSON: String, metricsJSON: String, machine: String, programVersion: String, finishedAt: String) {
        self.id = id; self.study = study; self.model = model; self.architecture = architecture
        self.method = method; self.spec = spec; self.weightBits = weightBits; self.groupSize = groupSize
        self.symmetric = symmetric; self.activationBits = activationBits; self.lorcRank = lorcRank
        self.actOrder = actOrder; self.seed = seed; self.effectiveBits = effectiveBits; self.bytes = bytes
        self.gridAligned = gridAligned; self.perplexity = perplexity; self.meanPerplexity = meanPerplexity
        self.zeroShot = zeroShot; self.klDivergence = klDivergence; self.top1Agreement = top1Agreement
        self.quantizeSeconds = quantizeSeconds; self.evaluateSeconds = evaluateSeconds
        self.configJSON = configJSON; self.metricsJSON = metricsJSON; self.machine = machine
        self.programVersion = programVersion; self.finishedAt = finishedAt
        fillFromConfig()
    }

    /// True for the unquantized reference row.
    public var isBase: Bool { method == "base" }

    /// The experiment configuration the row was run from (nil when `configJSON` is not one).
    public var config: ExperimentConfig? {
        try? JSONDecoder().decode(ExperimentConfig.self, from: Data(configJSON.utf8))
    }

    /// The evaluation plan id: the column, else recomputed from the configuration, else a hash of
    /// the configuration's text without its recipe (rows that are not from a study).
    public var planKey: String {
        if let planID { return planID }
        if let config { return config.planID }
        return "unknown"
    }

    /// Fills the recipe, plan and fingerprint columns that the configuration JSON determines.
    public mutating func fillFromConfig() {
        guard let config else { return }
        planID = planID ?? config.planID
        modelFingerprint = modelFingerprint ?? config.modelFingerprint
        guard let recipe = config.recipe else { return }
        weightGrid = weightGrid ?? recipe.effectiveWeightGrid
        if recipe.weightGrid == nil, let parsed = try? recipe.parsedSpec(), parsed.weight.symmetric {
            spec = parsed.description   // a legacy symmetric spec, on the narrow grid it was run with
        }
        mseClip = mseClip ?? recipe.mseClip
        staticGroups = staticGroups ?? recipe.usesStaticGroups
        damping = damping ?? recipe.effectiveDamping
        lorcFactorBits = lorcFactorBits ?? recipe.effectiveLoRCFactorBits
        zqGlobal = zqGlobal ?? recipe.zqGlobal
        awq = awq ?? recipe.awq
        smoothQuant = smoothQuant ?? recipe.smoothQuant
        overrides = overrides ?? recipe.overrides
        embeddingSpec = embeddingSpec ?? recipe.embedding
        headSpec = headSpec ?? recipe.head
        if let c = recipe.calibration {
            calibrationCorpus = calibrationCorpus ?? c.corpus
            calibrationSamples = calibrationSamples ?? c.samples
            calibrationLength = calibrationLength ?? c.length
            sequential = sequential ?? c.isSequential
            trueSequential = trueSequential ?? (c.isSequential ? c.isTrueSequential : nil)
        }
    }

    /// Method label as reports show it: `gptq`, `gptq+act-order+lorc8`, `rtn+mse-clip`, `base`:
    /// every option that changes the result, so rows that differ never look alike.
    public var methodLabel: String {
        var label = method
        if actOrder { label += "+act-order" }
        if staticGroups == true { label += "+static-groups" }
        if mseClip == true { label += "+mse-clip" }
        if let damping, damping != 0.01 { label += "+damp\(damping)" }
        if trueSequential == false && method != "zq-global" { label += "+no-true-seq" }
        if let zqGlobal { label += QuantRecipe.zqGlobalLabel(zqGlobal) }
        if let awq { label += (method == "awq" ? "" : "+awq") + awq.label }
        if let smoothQuant { label += (method == "smoothquant" ? "" : "+smoothquant") + smoothQuant.label }
        if let lorcRank {
            label += "+lorc\(lorcRank)"
            if let bits = lorcFactorBits, bits != 8 { label += bits == 16 ? "-f16" : "-\(bits)bit" }
        }
        return label + QuantRecipe.mixedPrecisionLabel(overrides: overrides, embedding: embeddingSpec, head: headSpec)
    }

    /// What calibrated the row: `wiki 32×512` (+ ` non-seq`, or ` one-probe` when sequential but not
    /// true-sequential), or nil.
    public var calibrationLabel: String? {
        guard let corpus = calibrationCorpus else { return nil }
        var text = "\(corpus) \(calibrationSamples.map(String.init) ?? "?")×\(calibrationLength.map(String.init) ?? "?")"
        if sequential == false { text += " non-seq" } else if trueSequential == false { text += " one-probe" }
        return text
    }

    /// Granularity label: `row`, `tensor`, `g128`; empty for base.
    public var granularityLabel: String {
        guard weightBits != nil else { return "" }
        switch groupSize {
        case nil: return "row"
        case 0?: return "tensor"
        case let k?: return "g\(k)"
        }
    }

    /// The mean perplexity is NaN or infinite: the quantized model diverged.
    public var diverged: Bool { meanPerplexity.map { !$0.isFinite } ?? false }

    /// The row's metrics JSON decoded (nil when it is not `ExperimentMetrics`, e.g. hand-made rows).
    public var metrics: ExperimentMetrics? {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try? decoder.decode(ExperimentMetrics.self, from: Data(metricsJSON.utf8))
    }
}

/// A zero-shot task's score in a results row: the harness's `acc` (and `acc_norm` when the task
/// has one), with standard errors, over `n` documents.
public struct TaskScore: Codable, Sendable, Equatable {
    public var acc: Double
    public var accStderr: Double
    public var accNorm: Double?
    public var accNormStderr: Double?
    public var n: Int

    public init(acc: Double, accStderr: Double, accNorm: Double?, accNormStderr: Double?, n: Int) {
        self.acc = acc; self.accStderr = accStderr; self.accNorm = accNorm; self.accNormStderr = accNormStderr; self.n = n
    }

    /// What reports plot: acc_norm where the task has it (HellaSwag, ARC, PIQA…), else acc.
    public var score: Double { accNorm ?? acc }
    /// The metric `score` is: `acc_norm` or `acc`.
    public var scoreMetric: String { accNorm == nil ? "acc" : "acc_norm" }
}
