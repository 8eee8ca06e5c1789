import KernelCore

/// A run of consecutive rows in packed q/k/v buffers: `count` tokens at positions
/// `prefixCount ..< prefixCount + count` that attend to the keys/values of `prefixCount` other rows
/// starting at row `prefixStart` (a shared prefix computed in the same buffers) and, causally, to
/// their own. With `prefixCount` 0 a segment is an ordinary causal window.
public struct AttentionSegment: Sendable, Equatable {
    public var start: Int
    public var count: Int
    public var prefixStart: Int
    public var prefixCount: Int

    public init(start: Int, count: Int, prefixStart: Int = 0, prefixCount: Int = 0) {
        precondition(count > 0 && prefixCount >= 0, "a segment needs at least one row")
        self.start = start
        self.count = count
        self.prefixStart = prefixStart
        self.prefixCount = prefixCount
    }
}

/// Causal multi-head attention (grouped-query) over packed segments of different lengths, where
/// a segment may continue a prefix held elsewhere in the same buffers: several continuations then
/// share one computation of their common prefix, and nothing is padded. A segment continuing a
/// prefix computes exactly what `CausalAttention` computes for those rows on the concatenated
/// sequence prefix + segment.
///
/// Keys of a segment are numbered by position c in [0, prefixCount + count): c < prefixCount is
/// prefix row c, otherwise own row c − prefixCount; query row t sits at position prefixCount + t.
/// Scores against prefix keys and own keys are written side by side into one score row, so the
/// softmax and the causal / sliding-window mask are those of the concatenated sequence.
public enum PrefixAttention {
    /// q (N, heads, headDim), k/v (N, kvHeads, headDim) → out (N, heads, headDim) for the rows of
    /// every segment; rows outside all segments are not written. Segments must not overlap.
    /// `slidingWindow`: a token attends to at most this many most recent positions (itself included).
    public static func forward(
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
        out: UnsafeMutablePointer<Float>, segments: [AttentionSegment],
        heads: Int, kvHeads: Int, headDim: Int, scale: Float, slidingWindow: Int? = nil, rowBlock: Int = 128,
        variant: LinearBackend = .automatic
    ) {
        guard !segments.isEmpty else { return }
        let group = heads / kvHeads
        let qStride = heads * headDim, kvStride = kvHeads * headDim
        let workers = min(Parallel.coreCount, segments.count * heads)
        let assignment = balance(segments: segments, heads: heads, workers: workers)
        if headDim % 16 == 0, let kernel = variant.kernel {
            // The fused kernel of this instruction set (see CausalAttention), on each segment's keys
            // and values gathered into one run: its prefix's rows, then its own.
            let maxKeys = segments.map { $0.prefixCount + $0.count }.max()!, tp = FusedAttention.paddedKeys(maxKeys)
            let per = tp * headDim + maxKeys * headDim + FusedAttention.scratchCount(tokens: maxKeys)
            let scratch = FloatBuffer(count: workers * per, zeroed: false)
            let sp = scratch.pointer, run = kernel.attention
            Parallel.forEach(workers) { w in
                let kt = sp + w * per, vs = kt + tp * headDim, tile = vs + maxKeys * headDim
                var built: (segment: Int, group: Int)? = nil
                for (s, h) in assignment[w] {
                    let seg = segments[s], g = h / group, p = seg.prefixCount
                    let kPre = k + seg.prefixStart * kvStride + g * headDim, kOwn = k + seg.start * kvStride + g * headDim
                    if built?.segment != s || built?.group != g {
                        // Kᵀ (hd, keys) and v (keys, hd) of KV head g: prefix rows, then the segment's
                        FusedAttention.transposeKeys([(kPre, p), (kOwn, seg.count)], ldkv: kvStride, headDim: headDim, into: kt)
                        for (i, row) in ((0..<p).map { seg.prefixStart + $0 } + (0..<seg.count).map { seg.start + $0 }).enumerated() {
                            (vs + i * headDim).update(from: v + row * kvStride + g * headDim, count: headDim)
                        }
                        built = (s, g)
                    }
                    run(FusedAttention.Job(
                        q: q + seg.start * qStride + h * headDim, ldq: qStride, kt: kt, v: vs, ldkv: headDim,
                        out: out + seg.start * qStride + h * headDim, ldo: qStride, tokens: seg.count, queryOffset: p,
                        headDim: headDim, scale: scale, window: slidingWindow, alibiSlope: nil, scratch: tile))
                }
            }
            return
        }
        let blockRows = min(rowBlock, segments.map(\.count).max()!)
        let maxWidth = segments.map { $0.prefixCount + $0.count }.max()!
        // Single-threaded BLAS inside our own parallel loop.
        let savedThreads = BLAS.threads
        if savedThreads != 1 { BLAS.setThreads(1) }
        defer { if savedThreads != 1 { BLAS.setThreads(savedThreads) } }
        // One (blockRows, maxWidth) score buffer per worker.
        let scratch = FloatBuffer(count: workers * blockRows * maxWidth, zeroed: false)
        let sp = scratch.pointer
        Parallel.forEach(workers) { w in
            let scores = sp + w * blockRows * maxWidth
            let sums = UnsafeMutablePointer<Float>.allocate(capacity: blockRows)
            defer { sums.deallocate() }
            for (s, h) in assignment[w] {
                let seg = segments[s], g = h / group, p = seg.prefixCount
                let qh = q + seg.start * qStride + h * headDim              // (count, hd), ld = qStride
                let kOwn = k + seg.start * kvStride + g * headDim            // (count, hd), ld = kvStride
                let vOwn = v + seg.start * kvStride + g * headDim
                let kPre = k + seg.prefixStart * kvStride + g * headDim      // (p, hd), ld = kvStride
                let vPre = v + seg.prefixStart * kvStride + g * headDim
                let oh = out + seg.start * qStride + h * headDim
                var r0 = 0
                while r0 < seg.count {
                    let r1 = min(seg.count, r0 + rowBlock), rows = r1 - r0
                    // Rows [r0, r1) need key positions [k0, p + r1).
                    let k0 = slidingWindow.map { max(0, p + r0 - $0 + 1) } ?? 0
                    let width = p + r1 - k0
                    let prefixKeys = max(0, p - k0)        // prefix rows [k0, p)
                    let ownFirst = max(0, k0 - p)          // own rows [ownFirst, r1)
                    if prefixKeys > 0 {
                        // scores[:, 0..<prefixKeys] (rows, prefixKeys) = qh[r0..<r1] · kPre[k0..<p]ᵀ
                        BLAS.gemm(transB: true, m: rows, n: prefixKeys, k: headDim,
                                  a: qh + r0 * qStride, lda: qStride, b: kPre + k0 * kvStride, ldb: kvStride,
                                  c: scores, ldc: width)
                    }
                    // scores[:, prefixKeys..<width] (rows, r1 − ownFirst) = qh[r0..<r1] · kOwn[ownFirst..<r1]ᵀ
                    BLAS.gemm(transB: true, m: rows, n: r1 - ownFirst, k: headDim,
                              a: qh + r0 * qStride, lda: qStride, b: kOwn + ownFirst * kvStride, ldb: kvStride,
                              c: scores + prefixKeys, ldc: width)
                    // unnormalised probabilities; each output row is divided by its sum afterwards
                    for t in r0..<r1 {
                        let first = slidingWindow.map { max(0, p + t - $0 + 1) } ?? 0
                        sums[t - r0] = 1 / Softmax.unnormalizedRow(scores + (t - r0) * width, start: first - k0,
                                                                   valid: p + t + 1 - k0, n: width, scale: scale)
                    }
                    // oh[r0..<r1] (rows, hd) = scores[:, ..<prefixKeys] · vPre[k0..<p]
                    //                          + scores[:, prefixKeys...] · vOwn[ownFirst..<r1]
                    if prefixKeys > 0 {
                        BLAS.gemm(m: rows, n: headDim, k: prefixKeys, a: scores, lda: width,
                                  b: vPre + k0 * kvStride, ldb: kvStride, c: oh + r0 * qStride, ldc: qStride)
                    }
                    BLAS.gemm(m: rows, n: headDim, k: r1 - ownFirst, a: scores + prefixKeys, lda: width,
                              b: vOwn + ownFirst * kvStride, ldb: kvStride, beta: prefixKeys > 0 ? 1 : 0,
                              c: oh + r0 * qStride, ldc: qStride)
                    for t in r0..<r1 {
                        let row = oh + t * qStride, inv = sums[t - r0]
                        for c in 0..<headDim { row[c] *= inv }
                    }
                    r0 = r1
                }
            }
        }
    }

    /// (segment, head) tasks per worker, longest first onto the least-loaded worker: segments
    /// differ widely in cost (∝ rows × keys), so a fixed stride would leave cores idle.
    static func balance(segments: [AttentionSegment], heads: Int, workers: Int) -> [[(Int, Int)]] {
        var assignment = [[(Int, Int)]](repeating: [], count: workers)
        var load = [Int](repeating: 0, count: workers)
        let order = segments.indices.sorted {
            let a = segments[$0], b = segments[$1]
            return a.count * (a.prefixCount + a.count) > b.count * (b.prefixCount + b.count)
        }
        for s in order {
            let cost = segments[s].count * (segments[s].prefixCount + segments[s].count)
            for h in 0..<heads {
                let w = load.indices.min { load[$0] < load[$1] }!
                assignment[w].append((s, h))
                load[w] += cost
            }
        }
        return assignment
    }
}
