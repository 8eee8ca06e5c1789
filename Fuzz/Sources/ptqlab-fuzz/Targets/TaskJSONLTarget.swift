@testable import Evaluation

/// `task-jsonl`: zero-shot task files. The input is read as a user task file (`file:PATH`, JSON
/// Lines of {context, choices, gold}), as an OLMES task `config.json` (the unconditional doc_id
/// offset), and as an OLMES request file (multiple-choice with unconditional requests kept, and
/// continuation), with the offset the same input gives as a config, else the default. Inputs
/// starting with the gzip magic are inflated first, as the loaders do.
enum TaskJSONLTarget {
    static let target = FuzzTarget(
        name: "task-jsonl", summary: "user task JSONL, OLMES requests.jsonl(.gz) and config.json"
    ) { input in
        let path = Scratch.write(input.bytes, to: "task.jsonl")
        if let task = ErrorCheck.attempt("user task file", {
            try ZeroShotTasks.load(ZeroShotTasks.filePrefix + path, assets: AssetLocator(root: nil))
        }) {
            _ = (task.hasUnconditional, task.documents.first?.choices.first?.continuationLength)
        }
        let offset = ErrorCheck.attempt("OLMES config") { try OLMoRequestFile.config(path: path) }?.unconditionalOffset
            ?? OLMoRequestFile.defaultUnconditionalOffset
        ErrorCheck.attempt("OLMES requests (multiple choice)") {
            try OLMoRequestFile.documents(path: path, kind: .multipleChoice, unconditionalOffset: offset, keepUnconditional: true)
        }
        ErrorCheck.attempt("OLMES requests (continuation)") {
            try OLMoRequestFile.documents(path: path, kind: .continuation, unconditionalOffset: offset, keepUnconditional: false)
        }
    }
}
