import Foundation
import Study

/// The committed study fixtures: real SmolLM2-135M rows, and invented rows (study "synthetic").
enum StudyFixtures {
    static let repoRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    static func load(_ name: String) throws -> [ExperimentRecord] {
        let data = try Data(contentsOf: repoRoot.appendingPathComponent("Fixtures/study/\(name)"))
        return try JSONDecoder().decode([ExperimentRecord].self, from: data)
    }

    /// Real SmolLM2-135M results (ctx 512, 40 windows; mean PPL over wiki/news/books).
    static func real() throws -> [ExperimentRecord] { try load("records.json") }
    /// The default study on SmolLM2-135M with per-window values (protocol 2).
    static func quick() throws -> [ExperimentRecord] { try load("quick-records.json") }
    /// Invented rows: SmolLM2 w3 g32 / w2 g16 / w2 g32 / w4 g256 and the tiny `tiny-llama <&> test` model.
    static func synthetic() throws -> [ExperimentRecord] { try load("synthetic-records.json") }

    static let smol = "smollm2-135m"
    static let tiny = "tiny-llama <&> test"
}
