import Foundation
import Testing

/// `ptqlab random-model` writes a loadable sharded bf16 checkpoint (the 7B-shape benchmark's
/// input, here at its tiny shape), and `--weights lean` evaluates it to the same perplexity, digit
/// for digit, as `--weights f32`.
@Suite struct RandomModelCLITests {
    static func perplexity(_ json: String) -> String? {
        guard let r = json.range(of: "\"perplexity\":") ?? json.range(of: "\"perplexity\" : ") else { return nil }
        return String(json[r.upperBound...].prefix { "0123456789.e-+".contains($0) })
    }

    @Test func tinyShapeLoadsAndLeanEqualsF32() throws {
        let vocabulary = CLI.packageRoot + "/.assets/llama-cpp-python/vendor/llama.cpp/models/ggml-vocab-llama-spm.gguf"
        guard FileManager.default.fileExists(atPath: vocabulary) else {
            print("RandomModelCLITests: llama-cpp-python vocabularies not installed (scripts/setup.sh); skipped")
            return
        }
        let dir = try CLI.temporaryDirectory().appendingPathComponent("tiny").path
        let made = try CLI.run(["random-model", "--shape", "llama-tiny", "--layers", "1", "--out", dir])
        #expect(made.status == 0, "\(made.stderr)")
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: dir))
        #expect(files.isSuperset(of: ["config.json", "tokenizer.gguf", "model.safetensors.index.json",
                                      "model-00001-of-00003.safetensors", "model-00003-of-00003.safetensors"]), "\(files)")
        var results: [String] = []
        for weights in ["lean", "f32"] {
            let r = try CLI.run(["eval", dir, "--tasks", "wiki", "--context", "64", "--max-windows", "2", "--weights", weights,
                                 "--format", "json", "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("\"weights\":\"\(weights)\""), "the report names the residency: \(r.stdout.prefix(300))")
            results.append(Self.perplexity(r.stdout) ?? "none: \(r.stdout.prefix(200))")
        }
        #expect(results[0] == results[1] && !results[0].hasPrefix("none"), "\(results)")
        let bad = try CLI.run(["eval", dir, "--tasks", "wiki", "--weights", "half"])
        #expect(bad.status != 0 && bad.stderr.contains("--weights must be f32, lean or auto"), "\(bad.stderr)")
    }
}
