/// How a text is cut into windows and which tokens are scored.
public enum PerplexityMode: Sendable, Equatable, CustomStringConvertible {
    /// GPTQ / ZeroQuant convention: non-overlapping windows of `context` tokens, the last partial
    /// window dropped, every token after the first of each window scored.
    case nonOverlapping
    /// llama.cpp's `llama-perplexity`: non-overlapping windows whose first token is replaced by
    /// BOS (when the tokenizer adds BOS, as llama.cpp does), only the second half of each window scored.
    case llamaCppHalfWindow
    /// Hugging Face's sliding window: windows of `context` tokens starting every `stride` tokens,
    /// each scoring only the tokens not scored by the previous window.
    case sliding(stride: Int)

    public var description: String {
        switch self {
        case .nonOverlapping: return "non-overlapping"
        case .llamaCppHalfWindow: return "llama.cpp half-window"
        case .sliding(let s): return "sliding (stride \(s))"
        }
    }
}

public struct PerplexityOptions: Sendable {
    public var context: Int
    public var maxWindows: Int?
    public var mode: PerplexityMode
    /// Windows run together in one forward pass.
    public var batchWindows: Int
    /// Token put first in each llama.cpp window (the BOS, when the tokenizer adds one).
    public var bosToken: Int32?

    public init(context: Int, maxWindows: Int? = nil, mode: PerplexityMode = .nonOverlapping,
                batchWindows: Int = 4, bosToken: Int32? = nil) {
        self.context = context
        self.maxWindows = maxWindows
        self.mode = mode
        self.batchWindows = batchWindows
        self.bosToken = bosToken
    }
}

public struct PerplexityResult: Sendable, Codable, Equatable {
    public var perplexity: Double
    /// Number of scored tokens.
    public var tokens: Int
    public var windows: Int
    /// Mean negative log-likelihood (nats per token).
    public var meanNLL: Double
    public var seconds: Double
    /// Tokens run through the model (scored or not) per second.
    public var tokensPerSecond: Double
    /// Per window, in window order: the summed NLL of its scored tokens, and how many it scored
    /// (two models evaluated on the same windows are compared window by window).
    public var windowNLL: [Double]
    public var windowTokens: [Int]

    public init(perplexity: Double, tokens: Int, windows: Int, meanNLL: Double, seconds: Double,
                tokensPerSecond: Double, windowNLL: [Double] = [], windowTokens: [Int] = []) {
        self.perplexity = perplexity
        self.tokens = tokens
        self.windows = windows
        self.meanNLL = meanNLL
        self.seconds = seconds
        self.tokensPerSecond = tokensPerSecond
        self.windowNLL = windowNLL
        self.windowTokens = windowTokens
    }
}

public struct PerplexityError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
