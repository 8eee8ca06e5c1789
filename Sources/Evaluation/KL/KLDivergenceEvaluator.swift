import Foundation
import Models
import TensorCore

/// KL(P_base ‖ P_quant) and top-1 agreement of a quantized model against its base model on the
/// perplexity windows of a token stream. The base model's side comes from `BaseLogits` (computed
/// once, before quantizing, and kept in a file); the quantized model runs the same windows and is
/// compared row by row.
public struct KLDivergenceEvaluator {
    public let base: BaseLogits
    public let quantized: any CausalLanguageModel

    public init(base: BaseLogits, quantized: any CausalLanguageModel) {
        self.base = base
        self.quantized = quantized
    }

    /// Per scored row of the quantized model: KL, top-1 match, NLL.
    final class QuantRows: @unchecked Sendable {
        let kl: UnsafeMutablePointer<Double>
        let same: UnsafeMutablePointer<Bool>
        let nll: UnsafeMutablePointer<Double>

        init(rows: Int) {
            kl = .allocate(capacity: max(rows, 1))
            same = .allocate(capacity: max(rows, 1))
            nll = .allocate(capacity: max(rows, 1))
        }

        deinit { kl.deallocate(); same.deallocate(); nll.deallocate() }
    }

    /// `tokens` and `options` must be the ones `base` was computed from (checked: same windows,
    /// same rows, same vocabulary).
    public func evaluate(tokens: [Int32], options: PerplexityOptions, label: String = "kl",
                         showProgress: Bool = true) throws -> KLDivergenceResult {
        let vocab = base.vocab
        guard vocab == quantized.vocabularySize else {
            throw PerplexityError("the models' vocabularies differ (\(vocab) vs \(quantized.vocabularySize))")
        }
        guard options.context <= quantized.maxContext else {
            throw PerplexityError("context \(options.context) is larger than the model allows")
        }
        let windows = try PerplexityWindows.make(tokens: tokens, options: options)
        let expected = BaseLogits.Key(model: base.key.model, tokens: tokens, options: options, vocab: vocab,
                                      rows: windows.reduce(0) { $0 + $1.scored.count })
        guard expected == base.key else {
            throw PerplexityError("the base logits in \(base.path) were computed for other windows or another text")
        }
        let progress = ProgressLine(label: label, total: windows.count, unit: "tok", enabled: showProgress)
        let start = Date()
        var kl: [Double] = [], sameTop = 0, baseNLL = 0.0, quantNLL = 0.0, run = 0
        var perWindow = KLWindowValues(windows: windows.count)
        let step = max(1, options.batchWindows)
        var i = 0, firstStored = 0
        while i < windows.count {
            let batch = Array(windows[i..<min(i + step, windows.count)])
            let t = batch[0].tokens.count
            // Scored rows of the batch, in row order; row r = window·T + position.
            let scoredRows = batch.enumerated().flatMap { w, win in win.scored.map { w * t + $0 } }
            let slot = Dictionary(uniqueKeysWithValues: scoredRows.enumerated().map { ($1, $0) })
            func target(_ row: Int) -> Int { Int(batch[row / t].tokens[row % t + 1]) }
            let q = QuantRows(rows: scoredRows.count)
            let first = firstStored
            // Dynamic per-tensor activation ranges are taken per window.
            try SequenceRows.withWindows(batch.count, tokens: t) { try LogitRows.withScored(batch.map(\.scored), tokens: t) {
                try quantized.forward(windows: batch.map(\.tokens), observer: nil) { firstRow, rows, logits in
                    Parallel.forRanges(rows, minimumChunk: 8) { range in
                        let a = UnsafeMutablePointer<Float>.allocate(capacity: vocab)
                        defer { a.deallocate() }
                        for r in range {
                            guard let s = slot[firstRow + r] else { continue }
                            let g = first + s
                            // a (vocab) = stored base row (logit − max), widened from f16
                            HalfPrecision.convertF16(base.row(g), a, count: vocab)
                            let b = logits + r * vocab
                            let lseB = SIMDMath.logSumExp(b, vocab)
                            q.kl[s] = KLDivergence.row(a, b, vocab, lseA: base.storedLSE[g], lseB: lseB)
                            q.same[s] = KLDivergence.argmax(b, vocab) == Int(base.top[g])
                            q.nll[s] = Double(lseB) - Double(b[target(firstRow + r)])
                        }
                    }
                }
            } }
            base.releaseRows(firstStored..<(firstStored + scoredRows.count))
            for s in 0..<scoredRows.count {
                let baseRowNLL = base.nll[firstStored + s]
                kl.append(q.kl[s])
                if q.same[s] { sameTop += 1 }
                baseNLL += baseRowNLL
                quantNLL += q.nll[s]
                let w = i + scoredRows[s] / t
                perWindow.kl[w] += q.kl[s]
                perWindow.top1[w] += q.same[s] ? 1 : 0
                perWindow.baseNLL[w] += baseRowNLL
                perWindow.quantizedNLL[w] += q.nll[s]
                perWindow.tokens[w] += 1
            }
            firstStored += scoredRows.count
            run += batch.count * t
            i += batch.count
            progress.update(done: i, units: run)
        }
        var result = KLDivergenceResult.summarize(kl: kl, sameTop: sameTop, baseNLL: baseNLL, quantNLL: quantNLL,
                                                  windows: windows.count, seconds: Date().timeIntervalSince(start))
        result.perWindow = perWindow
        return result
    }
}
