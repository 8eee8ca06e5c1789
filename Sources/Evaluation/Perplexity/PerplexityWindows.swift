/// One window to run: its tokens and which positions' next-token predictions are scored.
struct ScoredWindow: Equatable {
    var tokens: [Int32]
    /// Logit rows t (predicting tokens[t+1]) that count.
    var scored: Range<Int>
}

/// Cuts a token stream into windows per `PerplexityMode`.
enum PerplexityWindows {
    static func make(tokens: [Int32], options o: PerplexityOptions) throws -> [ScoredWindow] {
        let c = o.context
        guard c >= 2 else { throw PerplexityError("context must be at least 2 tokens, got \(c)") }
        var windows: [ScoredWindow] = []
        switch o.mode {
        case .nonOverlapping:
            var start = 0
            while start + c <= tokens.count {
                windows.append(ScoredWindow(tokens: Array(tokens[start..<start + c]), scored: 0..<(c - 1)))
                start += c
            }
        case .llamaCppHalfWindow:
            guard c >= 3 else {
                throw PerplexityError("llama.cpp mode scores the second half of each window but its last token: the context must be at least 3 tokens, got \(c)")
            }
            var start = 0
            let first = c / 2
            while start + c <= tokens.count {
                var w = Array(tokens[start..<start + c])
                if let bos = o.bosToken { w[0] = bos }
                windows.append(ScoredWindow(tokens: w, scored: first..<(c - 1)))
                start += c
            }
        case .sliding(let stride):
            guard stride >= 1 && stride <= c else {
                throw PerplexityError("stride must be between 1 and the context (\(c)), got \(stride)")
            }
            // Hugging Face: begin = 0, stride, 2·stride …; end = min(begin + c, n); the window
            // scores its last (end − previous end) tokens. Only full windows are run here (the
            // remainder at the end is dropped, as in the other modes).
            var begin = 0, prevEnd = 0
            while begin + c <= tokens.count {
                let end = begin + c
                let targets = end - prevEnd          // tokens newly scored by this window
                let firstTarget = max(1, c - targets) // target positions within the window
                windows.append(ScoredWindow(tokens: Array(tokens[begin..<end]), scored: (firstTarget - 1)..<(c - 1)))
                prevEnd = end
                begin += stride
            }
        }
        if let m = o.maxWindows { windows = Array(windows.prefix(m)) }
        if windows.isEmpty {
            throw PerplexityError("the text has \(tokens.count) tokens, fewer than one window of \(c)")
        }
        // Every mode scores at least one token per window for the contexts it accepts; a window
        // that scores nothing would turn the perplexity into 0/0.
        if let empty = windows.firstIndex(where: { $0.scored.isEmpty }) {
            throw PerplexityError("window \(empty) of \(c) tokens scores no token in \(o.mode) mode")
        }
        return windows
    }
}
