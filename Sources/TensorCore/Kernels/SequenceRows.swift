/// Which rows of a batch's activations (rows × features) belong to which input sequence, while a
/// model runs that batch. Statistics that the field takes "per tensor" at run time (dynamic
/// per-tensor activation ranges) are taken per sequence with it, so a sequence's numbers do not
/// depend on which other sequences, or how much padding, shared its forward pass.
///
/// Set by whoever builds the batch (perplexity and KL windows, zero-shot batches, calibration
/// passes) around the forward pass; nil means "one sequence: every row".
public enum SequenceRows {
    @TaskLocal public static var current: [Range<Int>]? = nil

    /// Runs `body` with `windows` sequences of `tokens` rows each, back to back.
    public static func withWindows<R>(_ windows: Int, tokens: Int, _ body: () throws -> R) rethrows -> R {
        try $current.withValue((0..<windows).map { $0 * tokens ..< ($0 + 1) * tokens }, operation: body)
    }

    /// Runs `body` with padded sequences: sequence b holds rows b·stride ..< b·stride + lengths[b]
    /// (the rest of its stride is padding).
    public static func withPadded<R>(lengths: [Int], stride: Int, _ body: () throws -> R) rethrows -> R {
        try $current.withValue(lengths.enumerated().map { $0.offset * stride ..< $0.offset * stride + $0.element },
                               operation: body)
    }
}
