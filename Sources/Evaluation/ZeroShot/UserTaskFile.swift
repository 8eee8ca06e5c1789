/// A task of your own: a JSON Lines file (optionally gzip-compressed), one document per line:
///
///     {"context": "The capital of France is", "choices": ["Paris", "Rome"], "gold": 0}
///
/// Each choice is scored as the continuation `target_delimiter + choice` of the context, as
/// lm-evaluation-harness builds multiple-choice requests; `target_delimiter` is an optional
/// per-line field, one space by default. acc_norm divides by the choice's length without the
/// delimiter (the harness's `len(choice)`). A file whose documents all have exactly one choice is
/// a continuation task, scored like LAMBADA (greedy accuracy, perplexity); `gold` may then be
/// omitted. Documents are numbered from 0 in file order (their doc_id for `--limit`).
enum UserTaskFile {
    struct Line: Decodable, Sendable {
        let context: String
        let choices: [String]
        let gold: Int?
        let targetDelimiter: String?
        enum CodingKeys: String, CodingKey {
            case context, choices, gold, targetDelimiter = "target_delimiter"
        }
    }

    static func load(path: String, name: String) throws -> ZeroShotTask {
        let bytes = try JSONLines.read(path: path)
        let lines = JSONLines.lines(bytes)
        guard !lines.isEmpty else { throw ZeroShotError(file: path, "no documents (the file is empty)") }
        let parsed = try JSONLines.decode(Line.self, bytes: bytes, lines: lines, file: path)
        let single = parsed[0].choices.count == 1
        var documents: [ZeroShotDocument] = []
        for (i, (line, doc)) in zip(lines, parsed).enumerated() {
            func fail(_ message: String) -> ZeroShotError { ZeroShotError(file: path, line: line.number, message) }
            guard !doc.choices.isEmpty else { throw fail("field 'choices' is empty") }
            guard (doc.choices.count == 1) == single else {
                throw fail("\(doc.choices.count) choices, but the first document has \(parsed[0].choices.count): "
                           + "a file is either multiple-choice (2 or more choices each) or a continuation task (1 each)")
            }
            let gold = doc.gold ?? (single ? 0 : -1)
            guard doc.gold != nil || single else { throw fail("missing field 'gold' (the index of the correct choice)") }
            guard doc.choices.indices.contains(gold) else {
                throw fail("field 'gold': \(gold) is not one of the \(doc.choices.count) choices (0…\(doc.choices.count - 1))")
            }
            let delimiter = doc.targetDelimiter ?? " "
            let choices = doc.choices.map { ZeroShotRequest(context: doc.context, delimiter: delimiter, choice: $0) }
            documents.append(ZeroShotDocument(id: i, choices: choices, gold: gold, line: line.number))
        }
        return ZeroShotTask(name: name, variant: nil, source: path, kind: single ? .continuation : .multipleChoice,
                            primaryMetric: nil, documents: documents,
                            subsetKey: "file:" + (path.split(separator: "/").last.map(String.init) ?? path))
    }
}
