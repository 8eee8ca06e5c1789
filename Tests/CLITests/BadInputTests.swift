import Foundation
import ModelFormats
import TensorCore
import Testing

/// Every bad input gives a clear one-line error naming the file and the field, a non-zero exit
/// status, and no crash (a crash would show as a signal status, not 1).
@Suite(.serialized) struct BadInputTests {
    func expectFailure(_ args: [String], mentions needles: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try CLI.run(args)
        #expect(r.status == 1, "exit status \(r.status), stderr: \(r.stderr)", sourceLocation: sourceLocation)
        for n in needles {
            #expect(r.stderr.contains(n), "stderr lacks '\(n)': \(r.stderr)", sourceLocation: sourceLocation)
        }
        #expect(r.stdout.isEmpty, "nothing on stdout on failure: \(r.stdout)", sourceLocation: sourceLocation)
    }

    @Test func missingModelFile() throws {
        try expectFailure(["eval", "/nonexistent/model.gguf", "--tasks", "news"], mentions: ["/nonexistent/model.gguf"])
    }

    /// llama.cpp's arithmetic follows a GGUF file's stored types: not with an in-memory --quant.
    @Test func llamaCppArithmeticWithQuant() throws {
        try expectFailure(["eval", "--tasks", "news", "--max-windows", "1", "--quant", "w4a16-g32-sym", "--llamacpp-arithmetic"],
                          mentions: ["llama.cpp arithmetic", "--out x.gguf"])
    }

    @Test func wrongMagic() throws {
        let dir = try CLI.temporaryDirectory()
        let f = dir.appendingPathComponent("notgguf.gguf")
        try Data("GGML this is not a gguf file at all".utf8).write(to: f)
        try expectFailure(["inspect", f.path], mentions: [f.path, "magic"])
        try expectFailure(["eval", f.path, "--tasks", "news"], mentions: [f.path, "magic"])
    }

    @Test func truncatedModel() throws {
        let dir = try CLI.temporaryDirectory()
        let f = dir.appendingPathComponent("truncated.gguf")
        let h = try FileHandle(forReadingFrom: URL(fileURLWithPath: CLI.defaultModel))
        // Header and metadata intact, tensor data cut off.
        try h.readData(ofLength: 3_000_000).write(to: f)
        try expectFailure(["eval", f.path, "--tasks", "news"], mentions: [f.path])
    }

    /// A copy of the tiny transformers Llama checkpoint to break in different ways.
    func tinyLlamaCopy() throws -> URL {
        let dir = try CLI.temporaryDirectory().appendingPathComponent("tiny-llama")
        try FileManager.default.copyItem(atPath: CLI.packageRoot + "/Fixtures/models/tiny-llama", toPath: dir.path)
        return dir
    }

    func editConfig(_ dir: URL, _ edit: (inout [String: Any]) -> Void) throws {
        let url = dir.appendingPathComponent("config.json")
        var obj = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        edit(&obj)
        try JSONSerialization.data(withJSONObject: obj).write(to: url)
    }

    @Test func malformedConfigJSON() throws {
        let dir = try tinyLlamaCopy()
        try Data("{\"model_type\": \"llama\", \"hidden_size\": ".utf8).write(to: dir.appendingPathComponent("config.json"))
        try expectFailure(["eval", dir.path, "--tasks", "news"], mentions: ["config.json"])
        try expectFailure(["inspect", dir.path], mentions: ["config.json"])
    }

    @Test func configMissingKey() throws {
        let dir = try tinyLlamaCopy()
        try editConfig(dir) { $0.removeValue(forKey: "hidden_size") }
        try expectFailure(["eval", dir.path, "--tasks", "news"], mentions: ["config.json", "hidden_size"])
    }

    @Test func shapeMismatch() throws {
        let dir = try tinyLlamaCopy()
        try editConfig(dir) { $0["intermediate_size"] = 128 }
        try expectFailure(["eval", dir.path, "--tasks", "news"], mentions: ["model.safetensors", "mlp.gate_proj.weight", "[96, 64]"])
    }

    @Test func missingTensor() throws {
        let dir = try tinyLlamaCopy()
        try editConfig(dir) { $0["num_hidden_layers"] = 3 }
        try expectFailure(["eval", dir.path, "--tasks", "news"], mentions: ["model.safetensors", "model.layers.2.", "missing"])
    }

    @Test func malformedTokenizerJSON() throws {
        let dir = try tinyLlamaCopy()
        try Data("{\"model\": {\"type\": \"BPE\", \"vocab\": ".utf8).write(to: dir.appendingPathComponent("tokenizer.json"))
        try expectFailure(["eval", dir.path, "--tasks", "news"], mentions: ["tokenizer.json"])
    }

    /// A copy of tiny-llama whose up_proj of block 1 holds a NaN at flat index 17, stored as `dtype`.
    func tinyLlamaWithNaN(as dtype: FloatDType) throws -> URL {
        let dir = try tinyLlamaCopy()
        let file = dir.appendingPathComponent("model.safetensors").path
        let source = try SafetensorsFile(path: file)
        var writer = SafetensorsWriter()
        for name in source.tensorNames {
            let t = try source.loadFloat32(name)
            if name == "model.layers.1.mlp.up_proj.weight" { t.pointer[17] = .nan }
            writer.add(name, t, as: dtype)
        }
        try writer.write(to: file + ".new")
        try FileManager.default.removeItem(atPath: file)
        try FileManager.default.moveItem(atPath: file + ".new", toPath: file)
        return dir
    }

    @Test func nanInWeights() throws {
        let dir = try tinyLlamaWithNaN(as: .f32)
        try expectFailure(["eval", dir.path, "--tasks", "news"], mentions: ["model.layers.1.mlp.up_proj.weight", "non-finite"])
    }

    /// The same NaN in a bf16 checkpoint loaded memory-lean (kept as stored): found by decoding,
    /// named with its tensor and flat index.
    @Test func nanInLeanBF16Weights() throws {
        let dir = try tinyLlamaWithNaN(as: .bf16)
        try expectFailure(["eval", dir.path, "--tasks", "news", "--weights", "lean"],
                          mentions: ["model.layers.1.mlp.up_proj.weight", "non-finite", "flat index 17"])
    }

    @Test func nonUTF8Text() throws {
        let dir = try CLI.temporaryDirectory()
        let f = dir.appendingPathComponent("latin1.txt")
        try Data([0x48, 0x69, 0x20, 0xE9, 0x74, 0xE9, 0x0A]).write(to: f) // "Hi été" in Latin-1
        try expectFailure(["eval", "--text", f.path, "--context", "64"], mentions: [f.path, "3"])
    }

    @Test func emptyText() throws {
        let dir = try CLI.temporaryDirectory()
        let f = dir.appendingPathComponent("empty.txt")
        try Data().write(to: f)
        try expectFailure(["eval", "--text", f.path, "--context", "64"], mentions: [f.path, "empty"])
    }

    @Test func contextLargerThanModel() throws {
        try expectFailure(["eval", "--tasks", "news", "--context", "100000"], mentions: ["100000", "8192"])
    }

    @Test func unknownTask() throws {
        try expectFailure(["eval", "--tasks", "nosuchtask", "--context", "64"], mentions: ["nosuchtask", "wiki"])
    }

    @Test func textShorterThanOneWindow() throws {
        let dir = try CLI.temporaryDirectory()
        let f = dir.appendingPathComponent("short.txt")
        try Data("Just a few words.".utf8).write(to: f)
        try expectFailure(["eval", "--text", f.path, "--context", "512"], mentions: ["fewer than one window"])
    }
}
