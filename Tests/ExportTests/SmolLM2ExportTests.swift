import Calibration
import Export
import Evaluation
import Foundation
import ModelFormats
import Models
import Quantization
import Testing

/// `ptqlab eval` loads both exports back (ModelLoader) and its perplexity equals the in-memory
/// fake-quantized model's: SmolLM2-135M, RTN, 4 windows of 128 tokens of the wiki held-out part.
///
/// - GGUF Q4_0 (w4a16-g32-sym): exact, every reloaded linear equals ours bit for bit.
/// - GGUF Q4_1 (w4a16-g32-asym): m = −scale·zero is rounded to f16, so weights move by ≤ half an
///   f16 ulp of scale·zero; perplexity agrees to 1e−3 relative (observed ≈ 1.3e−4).
/// - HF GPTQ (w4a16-g128-asym, with SmolLM2's tokenizer.json copied in): exact, 1e−9 relative.
@Suite(.serialized) struct SmolLM2ExportTests {
    static let options = PerplexityOptions(context: 128, maxWindows: 4)

    func perplexity(_ loaded: LoadedModel, assets: AssetLocator) throws -> Double {
        let tokens = loaded.tokenizer.encode(try Corpora.load("wiki", assets: assets).evaluation, addSpecial: true)
        return try PerplexityEvaluator(model: loaded.model).evaluate(tokens: tokens, options: Self.options, showProgress: false).perplexity
    }

    func quantized(_ spec: String, assets: AssetLocator) throws -> (LoadedModel, QuantizationSummary) {
        let loaded = try ModelLoader.load(path: try assets.defaultModel)
        let summary = try SequentialQuantization(method: RTNQuantizer(), scheme: try QuantSpec.parse(spec).weight,
                                                 needsCalibration: false).run(model: loaded.model, calibration: nil)
        return (loaded, summary)
    }

    func sameLinears(_ a: LoadedModel, _ b: LoadedModel) -> Bool {
        guard let x = a.model as? LlamaModel, let y = b.model as? LlamaModel else { return false }
        return zip(x.linearLayers, y.linearLayers).allSatisfy { $0.weight.array == $1.weight.array }
    }

    @Test(arguments: [("w4a16-g32-asym", "Q4_1", 1e-3), ("w4a16-g32-sym", "Q4_0", 1e-12)])
    func ggufPerplexityMatchesInMemory(spec: String, type: String, tolerance: Double) throws {
        let assets = AssetLocator()
        let (memory, summary) = try quantized(spec, assets: assets)
        let dir = try ExportTestSupport.temporaryDirectory("gguf")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/model.gguf"
        let report = try GGUFExporter.export(summary, source: GGUFFile(path: try assets.defaultModel), to: path)
        #expect(report.quantizedStorage == type && report.quantizedLayers == 210)

        let file = try GGUFFile(path: path), source = try GGUFFile(path: try assets.defaultModel)
        #expect(file.tensor(named: "blk.0.attn_q.weight")?.type.name == type)
        #expect(file.tensor(named: "token_embd.weight")?.type == source.tensor(named: "token_embd.weight")?.type)
        #expect(file.metadata["general.file_type"]?.asInt == Int(GGUFBlockType.fileType(GGMLType(name: type)!)))
        #expect(file.metadataKeys.count == source.metadataKeys.count + 2)

        let reloaded = try ModelLoader.load(path: path)
        if type == "Q4_0" { #expect(sameLinears(memory, reloaded)) }
        let expected = try perplexity(memory, assets: assets), got = try perplexity(reloaded, assets: assets)
        let relative = abs(got - expected) / expected
        #expect(relative <= tolerance, "\(spec): GGUF \(got) vs in memory \(expected) (relative \(relative))")
    }

    /// AWQ folds its scales into the RMSNorm weights: the GGUF export writes those norms (F32) from
    /// the model instead of copying the source's, and reloads to the in-memory result bit for bit
    /// (Q4_0 linears, F32 norms). 2 calibration windows of 64 tokens: the check is the export, not AWQ.
    @Test func awqFoldedNormsReachTheGGUF() throws {
        let assets = AssetLocator()
        let memory = try ModelLoader.load(path: try assets.defaultModel)
        let sourceNorm = try #require(memory.model as? LlamaModel).blocks[0].inputNorm.array
        let recipe = QuantRecipe(spec: "w4a16-g32-sym", method: "awq", calibration: CalibrationSettings(samples: 2, length: 64))
        let tokens = memory.tokenizer.encode(try Corpora.load("wiki", assets: assets).calibration, addSpecial: false)
        let windows = try CalibrationSet(tokens: tokens, count: 2, length: 64)
        let summary = try recipe.run(on: memory.model, calibration: windows)
        #expect(summary.changedTensors.count == 60)   // input_layernorm and post_attention_layernorm of 30 blocks
        let dir = try ExportTestSupport.temporaryDirectory("gguf-awq")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/model.gguf"
        let report = try GGUFExporter.export(summary, source: GGUFFile(path: try assets.defaultModel), to: path)
        #expect(report.notes.contains { $0.contains("except 60 the method changed") })
        let reloaded = try ModelLoader.load(path: path)
        #expect(sameLinears(memory, reloaded))
        let (x, y) = (try #require(memory.model as? LlamaModel), try #require(reloaded.model as? LlamaModel))
        #expect(zip(x.blocks, y.blocks).allSatisfy { $0.inputNorm.array == $1.inputNorm.array && $0.postAttentionNorm.array == $1.postAttentionNorm.array })
        #expect(sourceNorm != x.blocks[0].inputNorm.array)
        let expected = try perplexity(memory, assets: assets), got = try perplexity(reloaded, assets: assets)
        #expect(abs(got - expected) <= 1e-9 * expected, "GGUF \(got) vs in memory \(expected)")
    }

    @Test func gptqPerplexityMatchesInMemory() throws {
        let assets = AssetLocator()
        let (memory, summary) = try quantized("w4a16-g128-asym", assets: assets)
        let dir = try ExportTestSupport.temporaryDirectory("gptq-smollm2")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = try HFConfigFromGGUF.config(of: GGUFFile(path: try assets.defaultModel))
        let source = try GGUFFile(path: try assets.defaultModel)
        let report = try GPTQExporter.export(summary, model: try #require(memory.model as? LlamaModel), config: config,
                                             sourceDirectory: nil, sourceGGUF: source, to: dir)
        #expect(report.notes.contains { $0.contains("with the chat template") })
        // tokenizer_config.json carries the GGUF's chat template and special tokens
        let tokenizerConfig = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/tokenizer_config.json"))) as? [String: Any])
        guard case .string(let template)? = source.metadata["tokenizer.chat_template"] else { Issue.record("no chat template in the source"); return }
        #expect(tokenizerConfig["chat_template"] as? String == template)
        #expect(tokenizerConfig["eos_token"] as? String == "<|im_end|>")

        let reloaded = try ModelLoader.load(path: dir)
        #expect(reloaded.blockWeightStorage == ["GPTQ_INT4"])
        let text = "The quick brown fox — 42 times, naïvely."
        #expect(reloaded.tokenizer.encode(text, addSpecial: true) == memory.tokenizer.encode(text, addSpecial: true))
        #expect(sameLinears(memory, reloaded))
        let expected = try perplexity(memory, assets: assets), got = try perplexity(reloaded, assets: assets)
        #expect(abs(got - expected) / expected <= 1e-9, "GPTQ \(got) vs in memory \(expected)")
    }
}

extension SmolLM2ExportTests {
    /// A mixed recipe reaches the GGUF with one ggml type per tensor, as llama.cpp's own mixes:
    /// W4 g32 sym (Q4_0), down_proj at W8 g32 sym (Q8_0), o_proj left in full precision (F16), and
    /// the tied embedding/head at W8 g32 sym (Q8_0). Reloaded, every Q4_0 / Q8_0 linear and the
    /// embedding equal the in-memory model bit for bit; the F16 layers differ only by f16 rounding,
    /// so perplexity agrees to 1e-4 relative.
    @Test func mixedPrecisionReachesTheGGUF() throws {
        let assets = AssetLocator()
        let memory = try ModelLoader.load(path: try assets.defaultModel)
        let recipe = QuantRecipe(spec: "w4a16-g32-sym", method: "rtn",
                                 overrides: [LayerOverride(pattern: "*.down_proj", spec: "w8a16-g32-sym"),
                                             LayerOverride(pattern: "*.o_proj", spec: "w16a16")],
                                 embedding: "w8a16-g32-sym")
        let summary = try recipe.run(on: memory.model, calibration: nil)
        #expect(summary.tokenTables.map(\.name) == ["model.embed_tokens"])
        let dir = try ExportTestSupport.temporaryDirectory("gguf-mixed")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/model.gguf"
        let report = try GGUFExporter.export(summary, source: GGUFFile(path: try assets.defaultModel), to: path)
        #expect(report.quantizedStorage == "F16+Q4_0+Q8_0" && report.quantizedLayers == 211)
        #expect(report.notes.contains("per-layer types: F16 × 30, Q4_0 × 150, Q8_0 × 31"))
        let file = try GGUFFile(path: path)
        #expect(file.tensor(named: "blk.3.attn_q.weight")?.type == .q4_0 && file.tensor(named: "blk.3.ffn_down.weight")?.type == .q8_0)
        #expect(file.tensor(named: "blk.3.attn_output.weight")?.type == .f16 && file.tensor(named: "token_embd.weight")?.type == .q8_0)
        let bits = ExportedBits.of(summary, actOrder: false)
        #expect(bits.ggufType == "Q4_0+F16+Q8_0")

        let reloaded = try ModelLoader.load(path: path)
        let (x, y) = (try #require(memory.model as? LlamaModel), try #require(reloaded.model as? LlamaModel))
        #expect(zip(x.linearLayers, y.linearLayers).allSatisfy { $0.name.hasSuffix("o_proj") || $0.weight.array == $1.weight.array })
        #expect(x.embedding.array == y.embedding.array)
        let expected = try perplexity(memory, assets: assets), got = try perplexity(reloaded, assets: assets)
        #expect(abs(got - expected) / expected < 1e-4, "GGUF \(got) vs in memory \(expected)")
    }

    /// The same kind of mixed recipe in a GPTQ directory, as GPTQModel writes per-module overrides:
    /// W4 g128 asym, down_proj at W8 g128 sym (`dynamic` "+:^…down_proj$": bits 8, sym), o_proj left
    /// in full precision ("-:^…o_proj$", a float weight). Reloaded, every linear equals the
    /// in-memory model bit for bit (packed codes decode exactly, f32 float weights), so perplexity
    /// agrees to 1e-9; the token tables in a GPTQ directory are refused.
    @Test func mixedPrecisionReachesTheGPTQDirectory() throws {
        let assets = AssetLocator()
        let memory = try ModelLoader.load(path: try assets.defaultModel)
        let recipe = QuantRecipe(spec: "w4a16-g128-asym", method: "rtn",
                                 overrides: [LayerOverride(pattern: "*.down_proj", spec: "w8a16-g128-sym"),
                                             LayerOverride(pattern: "*.o_proj", spec: "w16a16")])
        let summary = try recipe.run(on: memory.model, calibration: nil)
        let dir = try ExportTestSupport.temporaryDirectory("gptq-mixed")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = try HFConfigFromGGUF.config(of: GGUFFile(path: try assets.defaultModel))
        let model = try #require(memory.model as? LlamaModel)
        let report = try GPTQExporter.export(summary, model: model, config: config, sourceDirectory: nil, to: dir)
        #expect(report.notes.contains { $0.contains("GPTQModel `dynamic` entries (60 modules") })
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/config.json"))) as? [String: Any])
        let dynamic = try #require((json["quantization_config"] as? [String: Any])?["dynamic"] as? [String: [String: Any]])
        #expect(dynamic["+:^model\\.layers\\.0\\.mlp\\.down_proj$"]?["bits"] as? Int == 8)
        #expect(dynamic["+:^model\\.layers\\.0\\.mlp\\.down_proj$"]?["sym"] as? Bool == true)
        #expect(dynamic["-:^model\\.layers\\.0\\.self_attn\\.o_proj$"]?.isEmpty == true)
        try FileManager.default.copyItem(
            atPath: ExportTestSupport.packageRoot.appendingPathComponent("Fixtures/tokenizers/smollm2/tokenizer.json").path,
            toPath: dir + "/tokenizer.json")
        let reloaded = try ModelLoader.load(path: dir)
        #expect(reloaded.blockWeightStorage == ["GPTQ_INT4", "GPTQ_INT8", "F32"])
        #expect(sameLinears(memory, reloaded))
        let expected = try perplexity(memory, assets: assets), got = try perplexity(reloaded, assets: assets)
        #expect(abs(got - expected) / expected <= 1e-9, "GPTQ mixed \(got) vs in memory \(expected)")
        let bits = ExportedBits.of(summary, actOrder: false)
        // Each layer as the directory stores it: packed at its own scheme, or 16 bits per weight (`-:`).
        let stored = summary.layers.reduce(0) { total, layer in
            total + (layer.result.codes.map { ExportedBits.gptqLayerBits($0.scheme, rows: $0.rows, columns: $0.columns) ?? 0 }
                     ?? layer.result.bits.weights * 16)
        }
        #expect(bits.gptq == Double(stored) / Double(summary.quantizedWeights))

        var withTable = recipe
        withTable.embedding = "w8a16-row-sym"
        let reloadedBase = try ModelLoader.load(path: try assets.defaultModel)
        let tabled = try withTable.run(on: reloadedBase.model, calibration: nil)
        #expect(throws: ExportError.self) {
            try GPTQExporter.export(tabled, model: try #require(reloadedBase.model as? LlamaModel), config: config, sourceDirectory: nil, to: dir + "/t")
        }
    }
}

extension SmolLM2ExportTests {
    /// LoRC reaches the GPTQ directory: W4 g128 RTN + rank-8 LoRC (8-bit factors) on SmolLM2 writes
    /// each layer's factors Û, V̂ as f32 `.lorc_u` / `.lorc_v` tensors beside its packed codes and
    /// `ptqlab_lorc_rank` in quantization_config; reloaded, every linear equals the in-memory
    /// W = dequant + Û·V̂ to f32 rounding of the product (1e-6 of the largest weight), and perplexity
    /// agrees to 1e-5 relative. The stored bits count the f32 factors.
    @Test func lorcFactorsReachTheGPTQDirectory() throws {
        let assets = AssetLocator()
        let memory = try ModelLoader.load(path: try assets.defaultModel)
        let recipe = QuantRecipe(spec: "w4a16-g128-asym", method: "rtn", lorcRank: 8)
        let summary = try recipe.run(on: memory.model, calibration: nil)
        let dir = try ExportTestSupport.temporaryDirectory("gptq-lorc")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = try HFConfigFromGGUF.config(of: GGUFFile(path: try assets.defaultModel))
        let report = try GPTQExporter.export(summary, model: try #require(memory.model as? LlamaModel), config: config,
                                             sourceDirectory: nil, to: dir)
        #expect(report.notes.contains { $0.contains("LoRC rank 8") })
        let file = try SafetensorsFile(path: dir + "/model.safetensors")
        #expect(file.info(of: "model.layers.0.mlp.down_proj.lorc_u")?.shape == [576, 8])
        #expect(file.info(of: "model.layers.0.mlp.down_proj.lorc_v")?.shape == [8, 1536])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/config.json"))) as? [String: Any])
        #expect((json["quantization_config"] as? [String: Any])?["ptqlab_lorc_rank"] as? Int == 8)
        try FileManager.default.copyItem(
            atPath: ExportTestSupport.packageRoot.appendingPathComponent("Fixtures/tokenizers/smollm2/tokenizer.json").path,
            toPath: dir + "/tokenizer.json")

        let reloaded = try ModelLoader.load(path: dir)
        let (x, y) = (try #require(memory.model as? LlamaModel), try #require(reloaded.model as? LlamaModel))
        for (a, b) in zip(x.linearLayers, y.linearLayers) {
            let (p, q) = (a.weight.array, b.weight.array)
            let scale = p.map(abs).max() ?? 1
            let worst = zip(p, q).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-6 * scale, "\(a.name): reloaded weights differ by \(worst)")
        }
        let expected = try perplexity(memory, assets: assets), got = try perplexity(reloaded, assets: assets)
        #expect(abs(got - expected) / expected <= 1e-5, "GPTQ+LoRC \(got) vs in memory \(expected)")
        let bits = ExportedBits.of(summary, actOrder: false)
        let plain = try #require(ExportedBits.gptqLayerBits(try QuantSpec.parse("w4a16-g128-asym").weight, rows: 576, columns: 1536))
        #expect(ExportedBits.gptqLayerBits(try QuantSpec.parse("w4a16-g128-asym").weight, rows: 576, columns: 1536, lowRankRank: 8)
                == plain + 8 * (576 + 1536) * 32)
        #expect((bits.gptq ?? 0) > summary.effectiveBits - 1)
    }
}

extension SmolLM2ExportTests {
    /// GPTQ on ggml's Q4_K grid reaches the GGUF as the very blocks it chose: down_proj (1536
    /// input columns, six super-blocks) as Q4_K, the 576-column projections as llama-quantize's
    /// fallback Q5_0; reloaded, every linear equals the in-memory model bit for bit and the
    /// perplexity is the same number. 2 calibration windows of 64 tokens: the check is the
    /// export, not GPTQ's quality.
    @Test func gptqOnTheQ4KGridReachesTheGGUF() throws {
        let assets = AssetLocator()
        let memory = try ModelLoader.load(path: try assets.defaultModel)
        let recipe = QuantRecipe(spec: "q4_k", method: "gptq", calibration: CalibrationSettings(samples: 2, length: 64))
        let tokens = memory.tokenizer.encode(try Corpora.load("wiki", assets: assets).calibration, addSpecial: false)
        let summary = try recipe.run(on: memory.model, calibration: try CalibrationSet(tokens: tokens, count: 2, length: 64))
        let dir = try ExportTestSupport.temporaryDirectory("gguf-q4k")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/model.gguf"
        let report = try GGUFExporter.export(summary, source: GGUFFile(path: try assets.defaultModel), to: path)
        #expect(report.notes.contains { $0.contains("Q4_K × 30, Q5_0 × 180") })
        let file = try GGUFFile(path: path)
        #expect(file.tensor(named: "blk.0.ffn_down.weight")?.type == .q4_k)
        #expect(file.tensor(named: "blk.0.attn_q.weight")?.type == .q5_0)
        #expect(file.metadata["general.file_type"]?.asInt == 14)
        let reloaded = try ModelLoader.load(path: path)
        #expect(sameLinears(memory, reloaded))
        let expected = try perplexity(memory, assets: assets), got = try perplexity(reloaded, assets: assets)
        #expect(got == expected, "GGUF \(got) vs in memory \(expected)")
    }
}

extension SmolLM2ExportTests {
    /// `--quant q4_k_m --method rtn` writes exactly llama-quantize's Q4_K_M of the same model: the
    /// sha256 of every tensor's bytes (sorted by name; llama-quantize orders tensors differently) equals that of the file
    /// `llama-quantize --allow-requantize SmolLM2-135M-Instruct.Q4_1.gguf out.gguf Q4_K_M` wrote
    /// (llama.cpp 0c1e5709 from the pinned llama-cpp-python 0.3.36 sdist; checked tensor by
    /// tensor with scripts/bench/gguf_tensor_diff.py: 272 of 272 identical) — type choices,
    /// fallbacks, scale searches and packing all as llama.cpp's.
    @Test func rtnQ4KMEqualsLlamaQuantize() throws {
        let dir = try ExportTestSupport.temporaryDirectory("gguf-q4km")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/model.gguf"
        try ExportTestSupport.exportSmolLM2RTN("q4_k_m", to: path)
        let file = try GGUFFile(path: path)
        var hash = SHA256()
        for name in file.tensors.map(\.name).sorted() { hash.update(try file.rawData(of: name)) }
        #expect(hash.finalizeHex() == "9117fc2329ef85ebaa413bdc45beb5b7d55949d34ad84441bfd75ef27582d0df")
        #expect(file.tensors.count == 272)
        #expect(file.tensor(named: "token_embd.weight")?.type == .q8_0 && file.tensor(named: "blk.5.ffn_down.weight")?.type == .q6_k)
    }

    /// A tensor the checkpoint already stores in its target type is kept, not re-quantized, as
    /// llama-quantize keeps it (ggml's searches are not idempotent: re-quantizing Qwen2.5-Coder's
    /// Q4_K/Q6_K ffn_down moved 0.05–3% of their bytes). SmolLM2's base stores every block linear as
    /// Q4_1: the `q4_1` spec keeps all 210 of them, so the exported file's linears equal the
    /// source's byte for byte (exact: no tolerance) and the in-memory weights are unchanged.
    @Test func blocksAlreadyInTheTargetTypeAreKept() throws {
        let assets = AssetLocator()
        let path = try assets.defaultModel
        let memory = try ModelLoader.load(path: path)
        let layer = memory.model.linears(ofBlock: 3)[0]
        let before = layer.weightForReading.array
        let stored = try StoredWeightBlocks(path: path)
        #expect(stored != nil)
        let summary = try QuantRecipe(spec: "q4_1", method: "rtn").run(on: memory.model, calibration: nil, storedBlocks: stored)
        #expect(summary.layers.count == 210)
        #expect(summary.layers.allSatisfy { $0.stats["storedBlocksKept"] == 1 })
        #expect(layer.weightForReading.array == before)
        let dir = try ExportTestSupport.temporaryDirectory("gguf-kept")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let source = try GGUFFile(path: path)
        try GGUFExporter.export(summary, source: source, to: dir + "/model.gguf")
        let file = try GGUFFile(path: dir + "/model.gguf")
        let linears = source.tensors.filter { $0.name.hasPrefix("blk.") && $0.shape.count == 2 }
        #expect(linears.count == 210)
        for info in linears {
            #expect(Array(try file.rawData(of: info.name)) == Array(try source.rawData(of: info.name)), "\(info.name)")
        }
    }
}
