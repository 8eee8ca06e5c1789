/// Token sequences packed into one forward pass, where several sequences may continue the same
/// prefix: the prefix runs once and each continuation attends to its keys/values. What scoring
/// multiple-choice tasks needs (every choice of a question continues the same context).
public struct PrefixSharedBatch: Sendable, Equatable {
    public struct Continuation: Sendable, Equatable {
        /// Index into `prefixes`, or nil for a sequence that starts at position 0 on its own.
        public var prefix: Int?
        public var tokens: [Int32]
        /// Rows of `tokens` (0-based within this continuation) whose logits are wanted.
        public var logitRows: Range<Int>

        public init(prefix: Int?, tokens: [Int32], logitRows: Range<Int>) {
            self.prefix = prefix
            self.tokens = tokens
            self.logitRows = logitRows
        }
    }

    public var prefixes: [[Int32]]
    public var continuations: [Continuation]

    public init(prefixes: [[Int32]], continuations: [Continuation]) {
        self.prefixes = prefixes
        self.continuations = continuations
    }

    /// Tokens run through the model (every prefix once, every continuation).
    public var tokenCount: Int {
        prefixes.reduce(0) { $0 + $1.count } + continuations.reduce(0) { $0 + $1.tokens.count }
    }

    /// Logit rows handed back: every continuation's `logitRows`, in order.
    public var logitRowCount: Int { continuations.reduce(0) { $0 + $1.logitRows.count } }
}

/// A model that can run a `PrefixSharedBatch`. Optional: scoring falls back to full sequences
/// (`CausalLanguageModel.forward(windows:)`) for models that do not conform.
public protocol PrefixSharingModel: CausalLanguageModel {
    /// Runs every prefix once (positions 0..<prefix.count) and every continuation after its prefix
    /// (positions prefix.count…), each continuation row seeing exactly what it would see in the
    /// full sequence prefix + continuation. The logits of the requested rows come back in chunks,
    /// numbered in order (continuation 0's `logitRows`, then continuation 1's, …):
    /// `logits(firstRow, rowCount, values)` with values (rowCount, vocab), valid only during the call.
    func forward(_ batch: PrefixSharedBatch,
                 logits: (_ firstRow: Int, _ rows: Int, _ values: UnsafePointer<Float>) -> Void) throws
}
