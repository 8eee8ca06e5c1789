import Foundation
import ModelFormats
import Testing

/// The cases of the bad-input campaign (issue 12) that used to crash, hang or print a silent wrong
/// answer: each now fails with `ptqlab: error: …` naming the file and field, exit status 1.
@Suite(.serialized) struct HardenedInputTests {
    func expectFailure(_ args: [String], mentions needles: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try CLI.run(args)
        #expect(r.status == 1, "exit status \(r.status), stderr: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.hasPrefix("ptqlab: error: "), "stderr: \(r.stderr)", sourceLocation: sourceLocation)
        for n in needles {
            #expect(r.stderr.contains(n), "stderr lacks '\(n)': \(r.stderr)", sourceLocation: sourceLocation)
        }
        #expect(r.stdout.isEmpty, "nothing on stdout on failure: \(r.stdout)", sourceLocation: sourceLocation)
    }

    static let tinyGemma = CLI.packageRoot + "/Fixtures/models/tiny-gemma3/model.gguf"

    /// A copy of a GGUF with some metadata replaced (tensors copied byte for byte).
    func gguf(from source: String, editing edits: [String: GGUFValue]) throws -> String {
        let file = try GGUFFile(path: source)
        let writer = GGUFWriter(alignment: file.alignment)
        for key in file.metadataKeys where key != "general.alignment" { writer[key] = file.metadata[key] }
        for (key, value) in edits { writer[key] = value }
        for t in file.tensors {
            try writer.addTensor(t.name, shape: t.shape, type: t.type, encodedData: Array(try file.rawData(of: t.name)))
        }
        let path = try CLI.temporaryDirectory().appendingPathComponent("edited.gguf").path
        try writer.write(to: path)
        return path
    }

    // MARK: GGUF hyperparameters (Gemma 3 and Llama readers)

    @Test(arguments: [("gemma3.block_count", GGUFValue.uint32(UInt32.max)), ("gemma3.block_count", .uint32(1000)),
                      ("gemma3.context_length", .uint64(1 << 31)), ("gemma3.embedding_length", .uint32(0)),
                      ("gemma3.attention.layer_norm_rms_epsilon", .float32(.nan)),
                      ("gemma3.attention.layer_norm_rms_epsilon", .float32(-1)),
                      ("gemma3.rope.freq_base", .float32(.nan)), ("gemma3.rope.freq_base", .float32(0)),
                      ("gemma3.rope.freq_base", .float32(-1)), ("gemma3.rope.freq_base_swa", .float32(.infinity))])
    func badGemmaHyperparameter(key: String, value: GGUFValue) throws {
        let path = try gguf(from: Self.tinyGemma, editing: [key: value])
        try expectFailure(["eval", path, "--tasks", "news", "--context", "16", "--max-windows", "1"], mentions: [path, key])
    }

    @Test(arguments: [("llama.block_count", GGUFValue.uint32(UInt32.max)), ("llama.context_length", .uint32(0)),
                      ("llama.attention.layer_norm_rms_epsilon", .float32(.nan)), ("llama.rope.freq_base", .float32(-1)),
                      ("llama.rope.freq_base", .float32(.nan))])
    func badLlamaHyperparameter(key: String, value: GGUFValue) throws {
        let path = try gguf(from: CLI.defaultModel, editing: [key: value])
        try expectFailure(["eval", path, "--tasks", "news", "--context", "16", "--max-windows", "1"], mentions: [path, key])
    }

    /// A claimed context of 2^30 tokens is allowed (RoPE tables are bounded, nothing is sized by
    /// it) and gives exactly the numbers of the real context.
    @Test func hugeClaimedContextChangesNothing() throws {
        let path = try gguf(from: Self.tinyGemma, editing: ["gemma3.context_length": .uint64(1 << 30)])
        let args = ["--tasks", "news", "--context", "16", "--max-windows", "2", "--format", "json", "--quiet"]
        let edited = try CLI.run(["eval", path] + args), original = try CLI.run(["eval", Self.tinyGemma] + args)
        #expect(edited.status == 0, "\(edited.stderr)")
        #expect(original.status == 0, "\(original.stderr)")
        func perplexity(_ r: CLI.Result) -> Double? {
            let object = try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            let news = (object?["tasks"] as? [String: Any])?["news"] as? [String: Any]
            return news?["perplexity"] as? Double
        }
        #expect(perplexity(edited) != nil && perplexity(edited) == perplexity(original), "\(edited.stdout)")
    }

    /// A FIFO given as a model or a text file used to block forever waiting for a writer.
    @Test func fifoIsRefusedNotWaitedOn() throws {
        let fifo = try CLI.temporaryDirectory().appendingPathComponent("model.gguf").path
        #expect(mkfifo(fifo, 0o600) == 0)
        try expectFailure(["inspect", fifo], mentions: [fifo, "not a regular file"])
        try expectFailure(["eval", "--text", fifo, "--context", "16"], mentions: [fifo, "not a regular file"])
    }

    // MARK: recipes and windows

    @Test func groupWiderThanEveryRowIsRefused() throws {
        try expectFailure(["eval", Self.tinyGemma, "--tasks", "news", "--context", "16", "--max-windows", "1",
                           "--quant", "w4a16-g9223372036854775807-asym", "--method", "rtn"], mentions: ["group size", "narrowest linear input"])
    }

    @Test func lorcRankAboveTheLayersIsRefused() throws {
        try expectFailure(["eval", Self.tinyGemma, "--tasks", "news", "--context", "16", "--max-windows", "1",
                           "--quant", "w4a16-g16-asym", "--lorc", "100000", "--method", "rtn"], mentions: ["LoRC rank 100000", "smallest linear dimension"])
    }

    @Test func llamaCppModeNeedsThreeTokens() throws {
        try expectFailure(["eval", "--tasks", "news", "--context", "2", "--ppl-mode", "llamacpp", "--max-windows", "1"],
                          mentions: ["at least 3"])
    }

    // MARK: the error contract

    @Test func argumentErrorsFollowTheContract() throws {
        try expectFailure(["eval", "--no-such-flag"], mentions: ["--no-such-flag"])
        try expectFailure(["no-such-command"], mentions: ["no-such-command"])
        // A negative number is read as the option's value and refused by its check, not as "Missing value".
        try expectFailure(["eval", Self.tinyGemma, "--tasks", "news", "--quant", "w4a16-g32-asym", "--lorc", "-5", "--method", "rtn"],
                          mentions: ["LoRC rank must be positive, got -5"])
        try expectFailure(["eval", "--tasks", "news", "--context", "-3"], mentions: ["-3"])
    }

    @Test func versionAndHelpExitZero() throws {
        let version = try CLI.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("ptqlab "), "\(version.stdout)")
        let help = try CLI.run(["eval", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--quant"))
    }

    @Test func studyNameCannotLeaveTheOutputDirectory() throws {
        let dir = try CLI.temporaryDirectory()
        let study = dir.appendingPathComponent("escape.yaml")
        try Data("name: ../../..\nmodels: \(Self.tinyGemma)\nschemes: [{bits: 4, granularity: g32}]\nmethods: rtn\nevaluation: {context: 16, perplexity: {corpora: [news], max_windows: 1}}\n".utf8).write(to: study)
        try expectFailure(["study", study.path, "--dry-run", "--quiet"], mentions: [study.path, "name"])
    }

    @Test func oversizedGridFailsAtOnce() throws {
        let dir = try CLI.temporaryDirectory()
        let study = dir.appendingPathComponent("huge.yaml")
        // 7 bits × 3 granularities × 10,000 seeds (the most one axis may hold) = 210,000 experiments.
        try Data("name: huge\nmodels: \(Self.tinyGemma)\nschemes: [{bits: \"2..8\", granularity: [row, g16, g32]}]\nmethods: gptq\nseeds: \"0..9999\"\nevaluation: {context: 16, perplexity: {corpora: [news], max_windows: 1}}\n".utf8)
            .write(to: study)
        try expectFailure(["study", study.path, "--dry-run", "--quiet"], mentions: [study.path, "210000 combinations"])
    }

    // MARK: inspect

    @Test func inspectJSONHasNumbers() throws {
        let r = try CLI.run(["inspect", Self.tinyGemma, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let hyper = try #require(object["hyperparameters"] as? [String: Any])
        #expect(!hyper.isEmpty)
        for (key, value) in hyper where key != "positions" {
            #expect(value is NSNumber, "\(key) = \(value) should be a number or a boolean")
        }
    }

    /// A GPTQ directory: the packed linears count out × in weights at ~bits + overhead per weight,
    /// not 16 bits per int32 element.
    @Test func inspectCountsGPTQPackedWeights() throws {
        let dir = try CLI.temporaryDirectory().appendingPathComponent("smollm2-gptq").path
        let made = try CLI.run(["quantize", CLI.defaultModel, "--quant", "w4a16-g128-asym", "--method", "rtn",
                                "--out", dir, "--quiet"])
        #expect(made.status == 0, "\(made.stderr)")
        let r = try CLI.run(["inspect", dir, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let storage = try #require(object["storage"] as? [[String: Any]])
        let packed = try #require(storage.first { ($0["type"] as? String)?.hasPrefix("GPTQ_INT") == true })
        let bits = try #require(packed["bits_per_weight"] as? Double)
        // 4-bit codes, 4-bit zero-points and an f16 scale per 128 weights, a 32-bit g_idx per input column.
        #expect(bits > 4 && bits < 4.5, "GPTQ int4 g128: \(bits) bits/weight")
        #expect(!storage.contains { $0["type"] as? String == "I32" }, "int32 tensors are part of the packed group")
    }

    /// `quantize` with per-layer overrides: to GGUF it writes one ggml type per tensor (inspect
    /// lists Q4_0, Q8_0 and F16 block storage); to a GPTQ directory, GPTQModel `dynamic` entries
    /// (inspect lists GPTQ_INT4 and GPTQ_INT8); an override neither format holds is refused before
    /// quantizing, naming it.
    @Test func quantizeWithOverrides() throws {
        let dir = try CLI.temporaryDirectory()
        let gguf = dir.appendingPathComponent("mixed.gguf").path
        let made = try CLI.run(["quantize", CLI.defaultModel, "--quant", "w4a16-g32-sym", "--method", "rtn",
                                "--override", "*.down_proj=w8a16-g32-sym", "--override", "*.{first}.*=w16a16",
                                "--out", gguf, "--format", "json", "--quiet"])
        #expect(made.status == 0, "\(made.stderr)")
        let output = try #require(try JSONSerialization.jsonObject(with: Data(made.stdout.utf8)) as? [String: Any])
        #expect((output["quant"] as? [String: Any])?["layer_schemes"] as? [String: Int] == ["w4a16-g32-sym": 174, "w8a16-g32-sym": 30, "w16": 6])   // first match wins: block 0's down_proj is W8
        let r = try CLI.run(["inspect", gguf, "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let types = Set((object["storage"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String })
        #expect(types.isSuperset(of: ["Q4_0", "Q8_0", "F16"]), "\(types)")
        let gptqDir = dir.appendingPathComponent("gptq").path
        let gptq = try CLI.run(["quantize", CLI.defaultModel, "--quant", "w4a16-g128-asym", "--method", "rtn",
                                "--override", "*.down_proj=w8a16-row-asym", "--out", gptqDir, "--quiet"])
        #expect(gptq.status == 0, "\(gptq.stderr)")
        let packed = try CLI.run(["inspect", gptqDir, "--format", "json"])
        let packedObject = try #require(try JSONSerialization.jsonObject(with: Data(packed.stdout.utf8)) as? [String: Any])
        let packedTypes = Set((packedObject["storage"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String })
        #expect(packedTypes.isSuperset(of: ["GPTQ_INT4", "GPTQ_INT8"]), "\(packedTypes)")
        let badGPTQ = try CLI.run(["quantize", CLI.defaultModel, "--quant", "w4a16-g128-asym", "--method", "rtn",
                                   "--override", "*.down_proj=w5a16-row-asym", "--out", dir.appendingPathComponent("gptq5").path, "--quiet"])
        #expect(badGPTQ.status != 0 && badGPTQ.stderr.contains("*.down_proj=w5a16-row-asym"), "\(badGPTQ.stderr)")
        let badType = try CLI.run(["quantize", CLI.defaultModel, "--quant", "w4a16-g32-sym", "--method", "rtn",
                                   "--override", "*.down_proj=w3a16-g32-sym", "--out", dir.appendingPathComponent("bad.gguf").path, "--quiet"])
        #expect(badType.status != 0 && badType.stderr.contains("*.down_proj=w3a16-g32-sym"), "\(badType.stderr)")
    }
}
