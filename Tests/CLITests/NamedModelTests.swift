import Foundation
import Testing

/// MODEL names (`smollm2-135m`, `qwen2.5-coder-0.5b`, `gemma3-270m`, `qwen2.5-coder-1.5b`) and the family line of `inspect`.
@Suite struct NamedModelTests {
    @Test func inspectByNameShowsTheFamily() throws {
        let r = try CLI.run(["inspect", "smollm2-135m", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(o["architecture"] as? String == "llama" && o["family"] as? String == "Llama (LlamaModel)")
        #expect((o["path"] as? String)?.hasSuffix("SmolLM2-135M-Instruct.Q4_1.gguf") == true)
    }

    @Test func inspectShowsGemma3() throws {
        let r = try CLI.run(["inspect", "Fixtures/models/tiny-gemma3/model.gguf"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("architecture: gemma3 (tiny-gemma3)"), "\(r.stdout)")
        #expect(r.stdout.contains("family:       Gemma 3"), "\(r.stdout)")
        #expect(r.stdout.contains("global_layers=5") && r.stdout.contains("sliding_window=4"), "\(r.stdout)")
        #expect(r.stdout.contains("tokenizer:    SentencePiece"), "\(r.stdout)")
    }

    @Test func unknownNameListsTheNamedModels() throws {
        let r = try CLI.run(["eval", "gemma-7b", "--tasks", "news"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("gemma-7b") && r.stderr.contains("qwen2.5-coder-0.5b, gemma3-270m, qwen2.5-coder-1.5b"), "\(r.stderr)")
    }

    @Test func missingChunksSayHowToInstall() throws {
        let empty = CLI.scratchRoot.appendingPathComponent("empty-assets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let r = try CLI.run(["inspect", "gemma3-270m"], environment: ["PTQLAB_ASSETS": empty.path])
        #expect(r.status == 1)
        #expect(r.stderr.contains("gemma3-270m") && r.stderr.contains("chunk 1 of 4 is missing")
                && r.stderr.contains("make setup"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: empty.path + "/joined/gemma-3-270m-q4_k_m.gguf"))
    }
}
