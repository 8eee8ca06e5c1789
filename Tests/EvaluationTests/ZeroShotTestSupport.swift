import Foundation
import ModelFormats
import Models
import Tokenizers
@testable import Evaluation

/// Shared fixtures for the zero-shot tests: paths, SmolLM2 (loaded once), the tiny models.
enum ZeroShotFixtures {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let assets = AssetLocator()

    /// SmolLM2-135M and its tokenizer, loaded once for every test that needs them.
    static let smolLM2: Result<LoadedModel, any Error> = Result { try ModelLoader.load(path: try assets.defaultModel) }

    static func smol() throws -> LoadedModel { try smolLM2.get() }

    /// A tiny transformers checkpoint from Fixtures/models (tiny-llama: 64 positions, vocab 160).
    static func tinyModel(_ name: String) throws -> LlamaModel {
        let dir = try HFModelDirectory(path: root + "/Fixtures/models/" + name)
        let config = try LlamaConfig(contentsOf: dir.configPath)
        return try LlamaModel(hyper: LlamaHyperparameters(config: config, file: dir.configPath),
                              weights: DirectWeights(try dir.openTensors()))
    }

    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "ptqlab-zeroshot-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes `lines` joined by "\n" to `name` in a fresh temporary directory; returns the path.
    static func write(_ lines: [String], name: String = "task.jsonl") throws -> String {
        let path = try temporaryDirectory() + "/" + name
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// One OLMES request line.
    static func requestLine(doc: Int, idx: Int, label: String = "0", context: String = "Q:", continuation: String) -> String {
        let request = try! JSONSerialization.data(withJSONObject: ["context": context, "continuation": continuation])
        return "{\"request_type\": \"loglikelihood\", \"doc\": {\"ignored\": [1, 2]}, \"request\": "
            + String(decoding: request, as: UTF8.self)
            + ", \"idx\": \(idx), \"doc_id\": \(doc), \"label\": \(label), \"native_id\": null}"
    }

    /// The error a throwing call raised, as text ("" if it did not throw).
    static func errorText(_ body: () throws -> Void) -> String {
        do {
            try body()
            return ""
        } catch {
            return String(describing: error)
        }
    }
}
