import Foundation
import Models
import TensorCore
import Tokenizers

/// How a zero-shot task is run.
public struct ZeroShotOptions: Sendable {
    /// Evaluate only this many documents, a stable subset (see `StableSubset`).
    public var limit: Int?
    /// Seed of the stable subset.
    public var subsetSeed: UInt64
    /// Also score OLMES's unconditional requests and report acc_uncond (calibrated scoring).
    public var calibrated: Bool
    /// Tokens per forward pass.
    public var batchTokens: Int
    /// Share each question's context between its choices (when the model supports it).
    public var sharePrefixes: Bool
    /// Model window for truncation (default: the model's context).
    public var maxLength: Int?

    public init(limit: Int? = nil, subsetSeed: UInt64 = 0, calibrated: Bool = false, batchTokens: Int = 2048,
                sharePrefixes: Bool = true, maxLength: Int? = nil) {
        self.limit = limit
        self.subsetSeed = subsetSeed
        self.calibrated = calibrated
        self.batchTokens = batchTokens
        self.sharePrefixes = sharePrefixes
        self.maxLength = maxLength
    }
}

/// A task's result.
public struct ZeroShotResult: Sendable, Equatable {
    public var task: String
    public var variant: String?
    public var kind: ZeroShotTask.Kind
    /// The variant's primary metric name (config.json), e.g. `acc_per_char`.
    public var primaryMetric: String?
    /// In report order (see `ZeroShotMetrics`).
    public var metrics: [ZeroShotMetric]
    /// Documents evaluated, and how many the task has.
    public var documents: Int
    public var availableDocuments: Int
    /// Whether `--limit` picked a subset (fewer documents than the task has), and its seed.
    public var subset: Bool
    public var subsetSeed: UInt64?
    /// Loglikelihood requests scored (choices, plus unconditional ones when calibrated).
    public var requests: Int
    /// Tokens run through the model.
    public var tokens: Int
    /// Requests whose context lost tokens to the model's window.
    public var truncatedRequests: Int
    /// Window the requests were truncated to (tokens).
    public var maxLength: Int
    /// Encoding and scoring time.
    public var seconds: Double
    public var requestsPerSecond: Double
    public var prefixSharing: Bool
    /// doc_id of each evaluated document, and its choices' scores (for inspection and tests).
    public var documentIDs: [Int]
    public var scores: [[LoglikelihoodScore]]
    /// Per-document values of `acc` (and `acc_norm`), in `documentIDs` order (`ZeroShotMetrics.perDocument`).
    public var perDocument: [String: [Double]] = [:]

    public func metric(_ name: String) -> ZeroShotMetric? { metrics.first { $0.name == name } }

    /// The value of the primary metric, when it is one we compute (acc_uncond only when calibrated).
    public var primaryScore: Double? {
        primaryMetric.flatMap(ZeroShotMetrics.metricName(forPrimary:)).flatMap { metric($0)?.value }
    }
}

/// Runs zero-shot tasks on a model with lm-evaluation-harness semantics (`HarnessEncoder`,
/// `LoglikelihoodScorer`, `ZeroShotMetrics`).
public struct ZeroShotEvaluator {
    public let model: any CausalLanguageModel
    public let tokenizer: Tokenizer

    public init(model: any CausalLanguageModel, tokenizer: Tokenizer) {
        self.model = model
        self.tokenizer = tokenizer
    }

    public func evaluate(_ task: ZeroShotTask, options: ZeroShotOptions = .init(), showProgress: Bool = true) throws -> ZeroShotResult {
        let start = Date()
        var documents = task.documents
        if let limit = options.limit {
            guard limit > 0 else { throw ZeroShotError("--limit must be positive, got \(limit)") }
            documents = StableSubset.select(documentIDs: documents.map(\.id), key: task.subsetKey,
                                            seed: options.subsetSeed, limit: limit).map { documents[$0] }
        }
        let calibrated = options.calibrated && task.kind == .multipleChoice && documents.allSatisfy { $0.unconditional != nil }
        let encoder = HarnessEncoder(tokenizer: tokenizer, maxLength: min(options.maxLength ?? model.maxContext, model.maxContext))

        // Groups: each document's choices, then (calibrated) each document's unconditional choices.
        var groups = try encode(documents.map(\.choices), documents: documents, task: task, encoder: encoder)
        if calibrated {
            groups += try encode(documents.map { $0.unconditional! }, documents: documents, task: task, encoder: encoder)
        }
        let requests = groups.reduce(0) { $0 + $1.count }
        let scorer = LoglikelihoodScorer(model: model, batchTokens: options.batchTokens, sharePrefixes: options.sharePrefixes)
        let progress = ProgressLine(label: task.name, total: requests, unit: "req", enabled: showProgress)
        var tokensRun = 0
        let scores = try scorer.score(groups) { done, tokens in
            tokensRun = tokens
            progress.update(done: done, units: done)
        }
        let conditional = Array(scores[0..<documents.count])
        let metrics: [ZeroShotMetric] = switch task.kind {
        case .multipleChoice:
            ZeroShotMetrics.multipleChoice(documents: documents, scores: conditional,
                                           unconditional: calibrated ? Array(scores[documents.count...]) : nil,
                                           primaryMetric: task.primaryMetric)
        case .continuation:
            ZeroShotMetrics.continuation(documents: documents, scores: conditional)
        }
        let seconds = Date().timeIntervalSince(start)
        return ZeroShotResult(
            task: task.name, variant: task.variant, kind: task.kind, primaryMetric: task.primaryMetric, metrics: metrics,
            documents: documents.count, availableDocuments: task.documents.count,
            subset: documents.count < task.documents.count, subsetSeed: options.limit.map { _ in options.subsetSeed },
            requests: requests, tokens: tokensRun, truncatedRequests: groups.joined().filter(\.truncated).count,
            maxLength: encoder.maxLength,
            seconds: seconds, requestsPerSecond: Double(requests) / max(seconds, 1e-9),
            prefixSharing: scorer.usesPrefixSharing, documentIDs: documents.map(\.id), scores: conditional,
            perDocument: ZeroShotMetrics.perDocument(kind: task.kind, documents: documents, scores: conditional))
    }

    /// Encodes each document's requests, documents in parallel (consecutive requests with the
    /// same context share one tokenization of it); errors say which task, file line, doc_id and
    /// choice (the first failing document in file order).
    func encode(_ requestLists: [[ZeroShotRequest]], documents: [ZeroShotDocument], task: ZeroShotTask,
                encoder: HarnessEncoder) throws -> [[EncodedRequest]] {
        var groups = [[EncodedRequest]](repeating: [], count: requestLists.count)
        var failures = [ZeroShotError?](repeating: nil, count: requestLists.count)
        groups.withUnsafeMutableBufferPointer { out in
            failures.withUnsafeMutableBufferPointer { errors in
                let outBox = UncheckedSendable(out), errorBox = UncheckedSendable(errors)
                Parallel.forRanges(requestLists.count, minimumChunk: 64) { range in
                    for d in range {
                        do throws(ZeroShotError) {
                            outBox.value[d] = try Self.encode(requestLists[d], encoder: encoder)
                        } catch {
                            let doc = documents[d]
                            errorBox.value[d] = ZeroShotError(file: task.source, line: doc.line,
                                                              "task \(task.name), doc_id \(doc.id): \(error.message)")
                            return
                        }
                    }
                }
            }
        }
        if let first = failures.lazy.compactMap({ $0 }).first { throw first }
        return groups
    }

    /// One document's requests; an error names the failing choice when there are several.
    static func encode(_ requests: [ZeroShotRequest], encoder: HarnessEncoder) throws(ZeroShotError) -> [EncodedRequest] {
        var group: [EncodedRequest] = []
        var i = 0
        while i < requests.count {
            var j = i + 1
            while j < requests.count && requests[j].context == requests[i].context { j += 1 }
            do {
                group += try encoder.encode(context: requests[i].context, continuations: requests[i..<j].map(\.continuation))
            } catch {
                // encode one by one to name the failing choice
                for k in i..<j {
                    do {
                        _ = try encoder.encode(context: requests[k].context, continuation: requests[k].continuation)
                    } catch {
                        throw ZeroShotError((requests.count > 1 ? "choice \(k): " : "") + error.message)
                    }
                }
                throw error
            }
            i = j
        }
        return group
    }
}
