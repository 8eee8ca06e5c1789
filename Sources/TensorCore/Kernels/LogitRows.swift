/// Which rows of a batch need next-token logits, while a model runs that batch: the LM head
/// (vocab × d, the largest matrix of small models: 63% of Gemma 3 270M's weights) then computes
/// only those rows. Perplexity and KL set it to their scored rows (all but each window's last in
/// the GPTQ convention, the second half in llama.cpp's); nil means every row.
///
/// Consumers see the same (firstRow, rows, values) chunks as without it, only the unwanted rows'
/// chunks are never handed out, so code that skips rows it does not score needs no change.
public enum LogitRows {
    @TaskLocal public static var wanted: [Range<Int>]? = nil

    /// Runs `body` with `windows` windows of `tokens` rows each, of which rows `scored` (positions
    /// within a window) need logits.
    public static func withScored<R>(_ scored: [Range<Int>], tokens: Int, _ body: () throws -> R) rethrows -> R {
        var ranges: [Range<Int>] = []
        for (w, r) in scored.enumerated() where !r.isEmpty {
            let range = w * tokens + r.lowerBound ..< w * tokens + r.upperBound
            if let last = ranges.last, last.upperBound == range.lowerBound {
                ranges[ranges.count - 1] = last.lowerBound ..< range.upperBound
            } else {
                ranges.append(range)
            }
        }
        return try $wanted.withValue(ranges, operation: body)
    }

    /// The wanted parts of rows 0..<n, in order (all of them when nothing is set).
    public static func parts(of n: Int) -> [Range<Int>] {
        guard let wanted else { return [0..<n] }
        return wanted.compactMap { r in
            let c = max(0, r.lowerBound) ..< min(n, r.upperBound)
            return c.isEmpty ? nil : c
        }
    }
}
