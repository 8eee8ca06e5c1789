import Calibration
import Evaluation

/// Everything one experiment measured: what a study row's `metrics` column holds as JSON and what
/// `eval` prints. Beside the summary numbers it keeps the per-window and per-document values, so
/// two rows of the same evaluation plan can be compared pairwise (same windows, same documents).
public struct ExperimentMetrics: Codable, Sendable {
    /// Perplexity of one input.
    public struct Corpus: Codable, Sendable {
        public var perplexity: Double
        /// Scored tokens and windows.
        public var tokens: Int
        public var windows: Int
        public var seconds: Double
        /// Tokens run through the model per second (scored or not).
        public var tokensPerSecond: Double?
        /// Per window: summed NLL of its scored tokens, and how many it scored.
        public var windowNLL: [Double]?
        public var windowTokens: [Int]?

        public init(_ r: PerplexityResult) {
            perplexity = r.perplexity; tokens = r.tokens; windows = r.windows; seconds = r.seconds
            tokensPerSecond = r.tokensPerSecond
            windowNLL = r.windowNLL; windowTokens = r.windowTokens
        }

        /// The quantized model's perplexity from a KL pass over the same windows.
        public init(_ d: KLDivergenceResult, context: Int) {
            perplexity = d.quantizedPerplexity; tokens = d.tokens; windows = d.windows; seconds = d.seconds
            tokensPerSecond = Double(d.windows * context) / max(d.seconds, 1e-9)
            windowNLL = d.perWindow?.quantizedNLL; windowTokens = d.perWindow?.tokens
        }
    }

    /// One zero-shot task's metrics.
    public struct Task: Codable, Sendable {
        public var metrics: [ZeroShotMetric]
        public var primaryMetric: String?
        public var documents: Int
        public var availableDocuments: Int
        public var subset: Bool
        public var requests: Int
        public var seconds: Double
        /// doc_id of every document, and per metric (`acc`, `acc_norm`) its per-document values.
        public var documentIDs: [Int]?
        public var perDocument: [String: [Double]]?

        public init(metrics: [ZeroShotMetric], primaryMetric: String?, documents: Int, availableDocuments: Int, subset: Bool,
                    requests: Int, seconds: Double, documentIDs: [Int]?, perDocument: [String: [Double]]?) {
            self.metrics = metrics; self.primaryMetric = primaryMetric; self.documents = documents
            self.availableDocuments = availableDocuments; self.subset = subset; self.requests = requests; self.seconds = seconds
            self.documentIDs = documentIDs; self.perDocument = perDocument
        }

        public init(_ r: ZeroShotResult) {
            metrics = r.metrics; primaryMetric = r.primaryMetric; documents = r.documents
            availableDocuments = r.availableDocuments; subset = r.subset; requests = r.requests; seconds = r.seconds
            documentIDs = r.documentIDs; perDocument = r.perDocument
        }
    }

    /// Window length used for perplexity (and zero-shot truncation when the plan names a context).
    public var context: Int
    public var perplexity: [String: Corpus] = [:]
    public var kl: [String: KLDivergenceResult] = [:]
    /// Per-window sums of each KL input (`KLWindowValues`).
    public var klWindows: [String: KLWindowValues]? = nil
    public var zeroShot: [String: Task] = [:]
    public var quantization: QuantizationReport?
    /// With llama.cpp's CPU activation rounding: the products per rounding ("Q8_0 ×168, …").
    public var llamaCppArithmetic: String? = nil

    public init(context: Int) { self.context = context }

    /// Mean perplexity over the inputs (nil without any).
    public var meanPerplexity: Double? {
        perplexity.isEmpty ? nil : perplexity.values.reduce(0) { $0 + $1.perplexity } / Double(perplexity.count)
    }

    /// KL and top-1 agreement weighted by tokens over every KL input (nil without KL).
    public var klSummary: KLSummary? { kl.isEmpty ? nil : KLSummary(kl.values) }
}

/// KL divergence and top-1 agreement over several inputs, weighted by their scored tokens.
public struct KLSummary: Codable, Sendable, Equatable {
    public var mean: Double
    public var top1Agreement: Double
    public var tokens: Int

    public init(_ results: some Collection<KLDivergenceResult>) {
        tokens = results.reduce(0) { $0 + $1.tokens }
        let n = Double(max(tokens, 1))
        mean = results.reduce(0) { $0 + $1.mean * Double($1.tokens) } / n
        top1Agreement = results.reduce(0) { $0 + $1.top1Agreement * Double($1.tokens) } / n
    }

    enum CodingKeys: String, CodingKey {
        case mean, tokens
        case top1Agreement = "top1_agreement"
    }
}
