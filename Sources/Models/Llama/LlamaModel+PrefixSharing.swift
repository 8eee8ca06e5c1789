import TensorCore

/// Prefix sharing for the Llama family: prefixes and continuations are packed row after row
/// (no padding) into one residual stream; RoPE rotates each continuation from its prefix's length
/// on, and `PrefixAttention` lets it attend to the prefix rows of the same layer. Only the rows
/// whose logits are asked for go through the final norm and the LM head.
extension LlamaModel: PrefixSharingModel {
    public func forward(_ batch: PrefixSharedBatch,
                        logits: (_ firstRow: Int, _ rows: Int, _ values: UnsafePointer<Float>) -> Void) throws {
        let h = hyper, d = h.hiddenSize
        // Layout: every prefix, then every continuation.
        var segments: [AttentionSegment] = [], prefixStart: [Int] = [], logitSource: [Int] = []
        var row = 0
        for prefix in batch.prefixes {
            guard !prefix.isEmpty else { throw ModelInputError("an empty prefix cannot be shared") }
            guard prefix.count <= h.maxContext else {
                throw ModelInputError("prefix of \(prefix.count) tokens exceeds the model's context of \(h.maxContext)")
            }
            segments.append(AttentionSegment(start: row, count: prefix.count))
            prefixStart.append(row)
            row += prefix.count
        }
        for (i, c) in batch.continuations.enumerated() {
            guard !c.tokens.isEmpty else { throw ModelInputError("continuation \(i) has no tokens") }
            var start = 0, count = 0
            if let p = c.prefix {
                guard batch.prefixes.indices.contains(p) else {
                    throw ModelInputError("continuation \(i) names prefix \(p) of \(batch.prefixes.count)")
                }
                start = prefixStart[p]; count = batch.prefixes[p].count
            }
            guard count + c.tokens.count <= h.maxContext else {
                throw ModelInputError("prefix + continuation of \(count + c.tokens.count) tokens exceeds the model's context of \(h.maxContext)")
            }
            guard c.logitRows.lowerBound >= 0 && c.logitRows.upperBound <= c.tokens.count else {
                throw ModelInputError("continuation \(i): logit rows \(c.logitRows) outside its \(c.tokens.count) tokens")
            }
            segments.append(AttentionSegment(start: row, count: c.tokens.count, prefixStart: start, prefixCount: count))
            logitSource += c.logitRows.map { row + $0 }
            row += c.tokens.count
        }
        guard row > 0 else { throw ModelInputError("no tokens to run") }

        // x (N, d) = embeddings of the packed rows
        let x = FloatBuffer(count: row * d, zeroed: false)
        for s in segments.indices {
            let tokens = s < batch.prefixes.count ? batch.prefixes[s] : batch.continuations[s - batch.prefixes.count].tokens
            try embed(tokens, into: x.pointer + segments[s].start * d)
        }
        let scratch = self.scratch(rows: row)
        let qWidth = h.heads * h.headDim, kWidth = h.kvHeads * h.headDim
        for block in blocks {
            block.forward(x.pointer, rows: row, h: h, scratch: scratch, observer: nil) { q, k, v, out in
                // a segment's rows sit at positions prefixCount ..< prefixCount + count
                for s in segments {
                    rope.apply(q + s.start * qWidth, tokens: s.count, heads: h.heads, headDim: h.headDim,
                               positionOffset: s.prefixCount)
                    rope.apply(k + s.start * kWidth, tokens: s.count, heads: h.kvHeads, headDim: h.headDim,
                               positionOffset: s.prefixCount)
                }
                PrefixAttention.forward(q: q, k: k, v: v, out: out, segments: segments, heads: h.heads,
                                        kvHeads: h.kvHeads, headDim: h.headDim,
                                        scale: 1 / Float(h.headDim).squareRoot(), slidingWindow: h.slidingWindow)
            }
        }
        guard !logitSource.isEmpty else { return }
        // wanted (R, d) = rmsnorm(x[logitSource]); logits (R, vocab) = wanted · lmHeadᵀ
        let wanted = FloatBuffer(count: logitSource.count * d, zeroed: false)
        for (i, source) in logitSource.enumerated() {
            (wanted.pointer + i * d).update(from: x.pointer + source * d, count: d)
        }
        emitLogits(wanted.pointer, rows: logitSource.count, logits)
    }
}
