import Models
import TensorCore

/// What the harness's `loglikelihood` returns for one request.
public struct LoglikelihoodScore: Sendable, Equatable {
    /// Σ log p(target | all before it), natural log, over the continuation tokens.
    public var logprob: Double
    /// Whether greedy decoding reproduces every target token (the argmax of every scored row,
    /// first index on ties as torch's argmax, is the target).
    public var greedy: Bool
    /// Continuation tokens scored.
    public var tokens: Int

    public init(logprob: Double, greedy: Bool, tokens: Int) {
        self.logprob = logprob
        self.greedy = greedy
        self.tokens = tokens
    }
}

/// Scores encoded requests, group by group (a group: requests whose inputs may share a prefix,
/// e.g. the choices of one question).
///
/// - Prefix sharing (models conforming to `PrefixSharingModel`): a group's longest common input
///   prefix (ending before its first scored row) runs once; each request runs only its remaining
///   tokens, attending to the prefix. Groups are packed into forward passes of about
///   `batchTokens` tokens, without padding, and logits are computed only for scored rows.
/// - Full sequences (any other model): every input runs whole; inputs are sorted by length and
///   batched by similar length, right-padded to the longest of the batch (under causal attention
///   padding after a sequence cannot change its rows).
///
/// Both give the same numbers up to f32 summation order (see ZeroShotScoringPathTests).
public struct LoglikelihoodScorer {
    public var model: any CausalLanguageModel
    /// Tokens per forward pass (at least one group or one input is always run).
    public var batchTokens: Int
    /// Use prefix sharing when the model supports it.
    public var sharePrefixes: Bool

    public init(model: any CausalLanguageModel, batchTokens: Int = 2048, sharePrefixes: Bool = true) {
        self.model = model
        self.batchTokens = max(1, batchTokens)
        self.sharePrefixes = sharePrefixes
    }

    /// Whether `score` will share prefixes with this model.
    public var usesPrefixSharing: Bool { sharePrefixes && model is any PrefixSharingModel }

    /// Scores of every request, in the shape of `groups`. `progress(requestsDone, tokensRun)`
    /// is called after every forward pass.
    public func score(_ groups: [[EncodedRequest]],
                      progress: (_ requests: Int, _ tokens: Int) -> Void = { _, _ in }) throws -> [[LoglikelihoodScore]] {
        var scores = groups.map { $0.map { LoglikelihoodScore(logprob: 0, greedy: true, tokens: $0.targets.count) } }
        for group in groups {
            for r in group where r.input.isEmpty || r.targets.isEmpty || r.input.count > model.maxContext {
                throw ModelInputError("cannot score a request of \(r.input.count) input and \(r.targets.count) target tokens (window \(model.maxContext))")
            }
        }
        if sharePrefixes, let sharing = model as? any PrefixSharingModel {
            try scoreSharingPrefixes(groups, model: sharing, into: &scores, progress: progress)
        } else {
            try scoreFullSequences(groups, into: &scores, progress: progress)
        }
        return scores
    }

    /// Where one logit row's score goes: request (group, index) and the token it must predict.
    struct RowTarget {
        var group: Int
        var request: Int
        var target: Int32
    }

    /// Length of the prefix a group's inputs share, ending before every scored row (0: share nothing).
    static func sharedPrefixLength(_ group: [EncodedRequest]) -> Int {
        guard group.count > 1 else { return 0 }
        var p = group.map(\.firstScoredRow).min()!
        let first = group[0].input
        for r in group.dropFirst() {
            var i = 0
            while i < p && r.input[i] == first[i] { i += 1 }
            p = i
        }
        return p
    }

    private func scoreSharingPrefixes(_ groups: [[EncodedRequest]], model sharing: any PrefixSharingModel,
                                      into scores: inout [[LoglikelihoodScore]],
                                      progress: (Int, Int) -> Void) throws {
        var g = 0, requestsDone = 0, tokensRun = 0
        while g < groups.count {
            var batch = PrefixSharedBatch(prefixes: [], continuations: [])
            var rows: [RowTarget] = []
            var requests = 0, tokens = 0
            while g < groups.count {
                let group = groups[g], p = Self.sharedPrefixLength(group)
                let cost = p + group.reduce(0) { $0 + $1.input.count - p }
                if !batch.continuations.isEmpty && tokens + cost > batchTokens { break }
                tokens += cost
                let prefix: Int? = p > 0 ? batch.prefixes.count : nil
                if p > 0 { batch.prefixes.append(Array(group[0].input[0..<p])) }
                for (i, r) in group.enumerated() {
                    batch.continuations.append(.init(prefix: prefix, tokens: Array(r.input[p...]),
                                                     logitRows: (r.firstScoredRow - p)..<(r.input.count - p)))
                    rows += r.targets.map { RowTarget(group: g, request: i, target: $0) }
                }
                requests += group.count
                g += 1
            }
            try sharing.forward(batch) { first, count, logits in
                accumulate(logits, rows: rows[first..<(first + count)], into: &scores)
            }
            requestsDone += requests
            tokensRun += tokens
            progress(requestsDone, tokensRun)
        }
    }

    private func scoreFullSequences(_ groups: [[EncodedRequest]], into scores: inout [[LoglikelihoodScore]],
                                    progress: (Int, Int) -> Void) throws {
        // Longest first, so the first (largest) batch shows at once whether memory suffices.
        let order = groups.indices.flatMap { g in groups[g].indices.map { (g, $0) } }
            .enumerated().sorted { a, b in
                let la = groups[a.element.0][a.element.1].input.count, lb = groups[b.element.0][b.element.1].input.count
                return la != lb ? la > lb : a.offset < b.offset
            }.map(\.element)
        var i = 0, requestsDone = 0, tokensRun = 0
        while i < order.count {
            let t = groups[order[i].0][order[i].1].input.count
            let count = max(1, min(order.count - i, batchTokens / t))
            let members = order[i..<(i + count)].map { groups[$0.0][$0.1] }
            // rows (B·T): window w's scored rows firstScoredRow..<input.count
            var rows = [RowTarget?](repeating: nil, count: count * t)
            for (w, (g, r)) in order[i..<(i + count)].enumerated() {
                let request = members[w]
                for (j, target) in request.targets.enumerated() {
                    rows[w * t + request.firstScoredRow + j] = RowTarget(group: g, request: r, target: target)
                }
            }
            let windows = members.map { $0.input + [Int32](repeating: 0, count: t - $0.input.count) }
            try SequenceRows.withPadded(lengths: members.map(\.input.count), stride: t) {
                try model.forward(windows: windows, observer: nil) { first, n, logits in
                    // only the scored rows of this chunk, compacted
                    var kept: [RowTarget] = [], source: [Int] = []
                    for r in 0..<n { if let target = rows[first + r] { kept.append(target); source.append(r) } }
                    guard !kept.isEmpty else { return }
                    accumulate(logits, rows: kept[...], sourceRows: source, into: &scores)
                }
            }
            i += count
            requestsDone += count
            tokensRun += count * t
            progress(requestsDone, tokensRun)
        }
    }

    /// Adds each row's log-probability of its target (logit − logsumexp, in f32 as the model's
    /// logits, summed in f64) and whether the target is the row's argmax. Row k of `rows` is
    /// `logits` row `sourceRows[k]` (k itself when nil).
    private func accumulate(_ logits: UnsafePointer<Float>, rows: ArraySlice<RowTarget>, sourceRows: [Int]? = nil,
                            into scores: inout [[LoglikelihoodScore]]) {
        let vocab = model.vocabularySize, n = rows.count, base = rows.startIndex
        var logprob = [Double](repeating: 0, count: n), isArgmax = [Bool](repeating: false, count: n)
        logprob.withUnsafeMutableBufferPointer { lp in
            isArgmax.withUnsafeMutableBufferPointer { am in
                let lpBox = UncheckedSendable(lp), amBox = UncheckedSendable(am)
                Parallel.forRanges(n, minimumChunk: 4) { range in
                    for k in range {
                        let row = logits + (sourceRows?[k] ?? k) * vocab
                        let target = Int(rows[base + k].target)
                        lpBox.value[k] = Double(row[target]) - Double(SIMDMath.logSumExp(row, vocab))
                        amBox.value[k] = Self.isFirstArgmax(row, vocab, target)
                    }
                }
            }
        }
        for k in 0..<n {
            let r = rows[base + k]
            scores[r.group][r.request].logprob += logprob[k]
            if !isArgmax[k] { scores[r.group][r.request].greedy = false }
        }
    }

    /// Whether `target` is the first index of the row's maximum (torch's argmax on ties).
    static func isFirstArgmax(_ row: UnsafePointer<Float>, _ n: Int, _ target: Int) -> Bool {
        let m = SIMDMath.maximum(row, n)
        guard row[target] == m else { return false }
        for i in 0..<target where row[i] == m { return false }
        return true
    }
}
