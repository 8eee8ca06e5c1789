import Foundation
import Models
import TensorCore

/// Perplexity of a causal LM over a token stream: PPL = exp(mean NLL) over the scored tokens.
public struct PerplexityEvaluator {
    public let model: any CausalLanguageModel

    public init(model: any CausalLanguageModel) { self.model = model }

    public func evaluate(tokens: [Int32], options: PerplexityOptions, label: String = "perplexity",
                         showProgress: Bool = true) throws -> PerplexityResult {
        guard options.context <= model.maxContext else {
            throw PerplexityError("context \(options.context) is larger than the model allows (\(model.maxContext))")
        }
        let windows = try PerplexityWindows.make(tokens: tokens, options: options)
        let progress = ProgressLine(label: label, total: windows.count, unit: "tok", enabled: showProgress)
        let start = Date()
        var nll = 0.0, scored = 0, run = 0
        // Per window: summed NLL of its scored tokens and their count (what paired comparisons use).
        var windowNLL = [Double](repeating: 0, count: windows.count)
        let windowTokens = windows.map(\.scored.count)
        let vocab = model.vocabularySize
        var i = 0
        while i < windows.count {
            let batch = Array(windows[i..<min(i + max(1, options.batchWindows), windows.count)])
            let t = batch[0].tokens.count
            try SequenceRows.withWindows(batch.count, tokens: t) { try LogitRows.withScored(batch.map(\.scored), tokens: t) {
                try model.forward(windows: batch.map(\.tokens), observer: nil) { firstRow, rows, logits in
                    // NLL of each scored row, computed in parallel (one logsumexp over the vocab per row)
                    var rowNLL = [Double?](repeating: nil, count: rows)
                    rowNLL.withUnsafeMutableBufferPointer { out in
                        let outp = out.baseAddress!
                        Parallel.forRanges(rows, minimumChunk: 8) { range in
                            for r in range {
                                let row = firstRow + r, w = row / t, pos = row % t
                                guard batch[w].scored.contains(pos) else { continue }
                                let values = logits + r * vocab
                                let target = Int(batch[w].tokens[pos + 1])
                                outp[r] = Double(SIMDMath.logSumExp(values, vocab)) - Double(values[target])
                            }
                        }
                    }
                    for (r, value) in rowNLL.enumerated() {
                        guard let v = value else { continue }
                        nll += v
                        scored += 1
                        windowNLL[i + (firstRow + r) / t] += v
                    }
                }
            } }
            run += batch.count * t
            i += batch.count
            progress.update(done: i, units: run)
        }
        let seconds = Date().timeIntervalSince(start)
        let mean = nll / Double(scored)
        return PerplexityResult(perplexity: exp(mean), tokens: scored, windows: windows.count, meanNLL: mean,
                                seconds: seconds, tokensPerSecond: Double(run) / seconds,
                                windowNLL: windowNLL, windowTokens: windowTokens)
    }
}
