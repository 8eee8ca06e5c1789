import Foundation

/// One finished experiment: one row of the results database, and what analysis and reports read.
/// The base (unquantized) model is an experiment too (`method == "base"`), so every ΔPPL has its
/// reference in the same database.
public struct ExperimentRecord: Codable, Sendable, Equatable {
    /// Stable identity: SHA-256 (hex, 16 characters) of everything that affects the result.
    public var id: String
    public var study: String
    /// The model as the study names it (`smollm2-135m` or a path), and its architecture.
    public var model: String
    public var architecture: String
    /// "base", "rtn", "gptq", "zq-local"; LoRC is `lorcRank`, not part of this name.
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
    /// Effective bits per weight over the quantized linears (32 for the f32 base) and their bytes.
    public var effectiveBits: Double
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
    }

    /// True for the unquantized reference row.
    public var isBase: Bool { method == "base" }

    /// Method label as reports show it: `gptq`, `gptq+lorc8`, `gptq+act-order`, `base`.
    public var methodLabel: String {
        var label = method
        if actOrder { label += "+act-order" }
        if let lorcRank { label += "+lorc\(lorcRank)" }
        return label
    }

    /// Granularity label: `row`, `tensor`, `g128`; `–` for base.
    public var granularityLabel: String {
        guard weightBits != nil else { return "–" }
        switch groupSize {
        case nil: return "row"
        case 0?: return "tensor"
        case let k?: return "g\(k)"
        }
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
}
