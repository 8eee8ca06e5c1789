/// How far a quantized model's next-token distributions are from its base model's, over the
/// same perplexity windows (llama.cpp `llama-perplexity --kl-divergence` statistics).
public struct KLDivergenceResult: Sendable, Codable, Equatable {
    /// Mean per-token KL(P_base ‖ P_quant) in nats, and its standard error.
    public var mean: Double
    public var stderr: Double
    public var median: Double
    /// 99th percentile and maximum of the per-token KL.
    public var p99: Double
    public var max: Double
    /// Fraction of scored tokens where both models' most likely next token is the same.
    public var top1Agreement: Double
    public var top1AgreementStderr: Double
    /// Perplexity of each model on the scored tokens.
    public var basePerplexity: Double
    public var quantizedPerplexity: Double
    /// Scored tokens and windows.
    public var tokens: Int
    public var windows: Int
    public var seconds: Double
    /// Per-window sums behind these statistics (not part of the JSON form: `ExperimentMetrics`
    /// stores them separately); nil after decoding.
    public var perWindow: KLWindowValues? = nil

    enum CodingKeys: String, CodingKey {
        case mean, stderr, median, p99, max, tokens, windows, seconds
        case top1Agreement = "top1_agreement", top1AgreementStderr = "top1_agreement_stderr"
        case basePerplexity = "base_perplexity", quantizedPerplexity = "quantized_perplexity"
    }

    /// Statistics of per-token values (KL, top-1 match, both NLLs).
    static func summarize(kl: [Double], sameTop: Int, baseNLL: Double, quantNLL: Double, windows: Int,
                          seconds: Double) -> KLDivergenceResult {
        let n = kl.count
        let mean = kl.reduce(0, +) / Double(n)
        let variance = n > 1 ? kl.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1) : 0
        let sorted = kl.sorted()
        func quantile(_ q: Double) -> Double {
            // linear interpolation between closest ranks (numpy's default)
            let pos = q * Double(n - 1)
            let lo = Int(pos.rounded(.down)), hi = Swift.min(lo + 1, n - 1)
            return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - Double(lo))
        }
        let agree = Double(sameTop) / Double(n)
        return KLDivergenceResult(
            mean: mean, stderr: (variance / Double(n)).squareRoot(), median: quantile(0.5), p99: quantile(0.99),
            max: sorted[n - 1], top1Agreement: agree,
            top1AgreementStderr: n > 1 ? (agree * (1 - agree) / Double(n - 1)).squareRoot() : 0,
            basePerplexity: exp(baseNLL / Double(n)), quantizedPerplexity: exp(quantNLL / Double(n)),
            tokens: n, windows: windows, seconds: seconds)
    }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Per-window sums of a KL evaluation, in window order: summed KL, top-1 matches, both models'
/// summed NLL, and scored tokens. Two quantized models evaluated on the same windows are compared
/// window by window from these.
public struct KLWindowValues: Sendable, Codable, Equatable {
    public var kl: [Double]
    public var top1: [Int]
    public var baseNLL: [Double]
    public var quantizedNLL: [Double]
    public var tokens: [Int]

    /// Zeros for `windows` windows.
    public init(windows: Int) {
        kl = .init(repeating: 0, count: windows)
        top1 = .init(repeating: 0, count: windows)
        baseNLL = .init(repeating: 0, count: windows)
        quantizedNLL = .init(repeating: 0, count: windows)
        tokens = .init(repeating: 0, count: windows)
    }
}
