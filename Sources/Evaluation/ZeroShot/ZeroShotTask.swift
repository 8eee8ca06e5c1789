/// One request of a task: score `continuation` given `context`.
public struct ZeroShotRequest: Sendable, Equatable {
    public var context: String
    public var continuation: String
    /// What acc_norm divides by: the length of the choice without its target delimiter (the
    /// harness's `len(choice)`), in Unicode scalars as Python counts `len`, at least 1.
    public var choiceLength: Int

    public init(context: String, continuation: String, choiceLength: Int) {
        self.context = context
        self.continuation = continuation
        self.choiceLength = max(1, choiceLength)
    }

    /// A request whose continuation is `delimiter` + choice (the harness's target delimiter,
    /// usually one space): acc_norm divides by the choice's length.
    public init(context: String, delimiter: String, choice: String) {
        self.init(context: context, continuation: delimiter + choice, choiceLength: choice.unicodeScalars.count)
    }

    /// Python's `len(continuation)`: what OLMES's acc_per_char divides by (leading space included).
    public var continuationLength: Int { max(1, continuation.unicodeScalars.count) }
    /// UTF-8 bytes of the continuation: what bits per byte divides by.
    public var continuationBytes: Int { max(1, continuation.utf8.count) }
}

/// A question with its choices (or, for a continuation task, its single target).
public struct ZeroShotDocument: Sendable, Equatable {
    /// The file's doc_id (user files: 0-based document number).
    public var id: Int
    public var choices: [ZeroShotRequest]
    /// Index of the correct choice.
    public var gold: Int
    /// The same choices after a neutral context ("Answer:"): OLMES's unconditional requests, for
    /// calibrated scoring (acc_uncond). Nil when the file has none or they were not asked for.
    public var unconditional: [ZeroShotRequest]?
    /// Line of the document's first request in its file, for error messages.
    public var line: Int

    public init(id: Int, choices: [ZeroShotRequest], gold: Int, unconditional: [ZeroShotRequest]? = nil, line: Int) {
        self.id = id
        self.choices = choices
        self.gold = gold
        self.unconditional = unconditional
        self.line = line
    }
}

/// A loaded zero-shot task.
public struct ZeroShotTask: Sendable {
    public enum Kind: String, Sendable {
        /// Pick the best of several choices: acc, acc_norm, …
        case multipleChoice = "multiple_choice"
        /// One target continuation per document (LAMBADA): greedy accuracy and perplexity.
        case continuation
    }

    /// The name as asked for (`piqa`, `piqa:5shot`, `file:my.jsonl`): the key in reports.
    public var name: String
    /// The request-file variant (`rc_0shot`, `rc_5shot`, `bpb_0shot`), nil for a user's file.
    public var variant: String?
    /// The file the documents came from.
    public var source: String
    public var kind: Kind
    /// The variant's `primary_metric` (config.json), e.g. `acc_per_char`; nil for a user's file.
    public var primaryMetric: String?
    /// Documents in file order.
    public var documents: [ZeroShotDocument]
    /// What the stable subset hashes besides the doc_id: the task and variant, not the spelling
    /// of the name, so `piqa` and `piqa:0shot` pick the same documents.
    public var subsetKey: String

    public init(name: String, variant: String?, source: String, kind: Kind, primaryMetric: String?,
                documents: [ZeroShotDocument], subsetKey: String) {
        self.name = name
        self.variant = variant
        self.source = source
        self.kind = kind
        self.primaryMetric = primaryMetric
        self.documents = documents
        self.subsetKey = subsetKey
    }

    /// Whether any document carries unconditional requests.
    public var hasUnconditional: Bool { documents.contains { $0.unconditional != nil } }
}
