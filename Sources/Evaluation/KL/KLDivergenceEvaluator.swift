import Foundation
import Models
import TensorCore

/// KL(P_base ‖ P_quant) and top-1 agreement of a quantized model against its base model on the
/// perplexity windows of a token stream. A batch of windows is run through the base model, the
/// scored rows' logits are kept (batch × T × vocab floats, never the whole text), then the same
/// windows through the quantized model are compared row by row.
public struct KLDivergenceEvaluator {
    public let base: any CausalLanguageModel
    public let quantized: any CausalLanguageModel

    public init(base: any CausalLanguageModel, quantized: any CausalLanguageModel) {
        self.base = base
        self.quantized = quantized
    }

    /// Per scored row of the base model: its logits, log-sum-exp, argmax and the NLL of the target.
    /// Written by parallel workers at disjoint rows, so it holds raw storage, not arrays.
    final class BaseRows: @unchecked Sendable {
        let logits: FloatBuffer                  // (rows, vocab)
        let lse: UnsafeMutablePointer<Float>     // (rows)
        let top: UnsafeMutablePointer<Int32>     // (rows)
        let nll: UnsafeMutablePointer<Double>    // (rows)
        let rows: Int

        init(rows: Int, vocab: Int) {
            self.rows = rows
            logits = FloatBuffer(count: rows * vocab, zeroed: false)
            lse = .allocate(capacity: max(rows, 1))
            top = .allocate(capacity: max(rows, 1))
            nll = .allocate(capacity: max(rows, 1))
        }

        deinit { lse.deallocate(); top.deallocate(); nll.deallocate() }
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

    public func evaluate(tokens: [Int32], options: PerplexityOptions, label: String = "kl",
                         showProgress: Bool = true) throws -> KLDivergenceResult {
        guard base.vocabularySize == quantized.vocabularySize else {
            throw PerplexityError("the models' vocabularies differ (\(base.vocabularySize) vs \(quantized.vocabularySize))")
        }
        guard options.context <= min(base.maxContext, quantized.maxContext) else {
            throw PerplexityError("context \(options.context) is larger than the model allows")
        }
        let windows = try PerplexityWindows.make(tokens: tokens, options: options)
        let progress = ProgressLine(label: label, total: windows.count, unit: "tok", enabled: showProgress)
        let start = Date()
        let vocab = base.vocabularySize
        var kl: [Double] = [], sameTop = 0, baseNLL = 0.0, quantNLL = 0.0, run = 0
        var perWindow = KLWindowValues(windows: windows.count)
        // At most two windows at a time: the kept base logits are rows × vocab floats.
        let step = max(1, min(options.batchWindows, 2))
        var i = 0
        while i < windows.count {
            let batch = Array(windows[i..<min(i + step, windows.count)])
            let t = batch[0].tokens.count
            // Scored rows of the batch, in row order; row r = window·T + position.
            let scoredRows = batch.enumerated().flatMap { w, win in win.scored.map { w * t + $0 } }
            let slot = Dictionary(uniqueKeysWithValues: scoredRows.enumerated().map { ($1, $0) })
            func target(_ row: Int) -> Int { Int(batch[row / t].tokens[row % t + 1]) }

            let kept = BaseRows(rows: scoredRows.count, vocab: vocab)
            let q = QuantRows(rows: scoredRows.count)
            // Both passes take dynamic per-tensor activation ranges per window.
            try SequenceRows.withWindows(batch.count, tokens: t) {
                try base.forward(windows: batch.map(\.tokens), observer: nil) { firstRow, rows, logits in
                    Parallel.forRanges(rows, minimumChunk: 8) { range in
                        for r in range {
                            guard let s = slot[firstRow + r] else { continue }
                            // kept.logits[s] (vocab) = base logits row
                            let src = logits + r * vocab
                            (kept.logits.pointer + s * vocab).update(from: src, count: vocab)
                            let lse = SIMDMath.logSumExp(src, vocab)
                            kept.lse[s] = lse
                            kept.top[s] = Int32(KLDivergence.argmax(src, vocab))
                            kept.nll[s] = Double(lse) - Double(src[target(firstRow + r)])
                        }
                    }
                }
                try quantized.forward(windows: batch.map(\.tokens), observer: nil) { firstRow, rows, logits in
                    Parallel.forRanges(rows, minimumChunk: 8) { range in
                        for r in range {
                            guard let s = slot[firstRow + r] else { continue }
                            let b = logits + r * vocab
                            let lseB = SIMDMath.logSumExp(b, vocab)
                            q.kl[s] = KLDivergence.row(kept.logits.pointer + s * vocab, b, vocab, lseA: kept.lse[s], lseB: lseB)
                            q.same[s] = KLDivergence.argmax(b, vocab) == Int(kept.top[s])
                            q.nll[s] = Double(lseB) - Double(b[target(firstRow + r)])
                        }
                    }
                }
            }
            for s in 0..<scoredRows.count {
                kl.append(q.kl[s])
                if q.same[s] { sameTop += 1 }
                baseNLL += kept.nll[s]
                quantNLL += q.nll[s]
                let w = i + scoredRows[s] / t
                perWindow.kl[w] += q.kl[s]
                perWindow.top1[w] += q.same[s] ? 1 : 0
                perWindow.baseNLL[w] += kept.nll[s]
                perWindow.quantizedNLL[w] += q.nll[s]
                perWindow.tokens[w] += 1
            }
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
