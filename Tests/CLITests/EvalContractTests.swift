import Foundation
import Testing

/// The CLI contract other tools rely on: `ptqlab eval … --format json` prints exactly one JSON
/// object on stdout with model, tasks.<name>.{perplexity, tokens}, tokens_per_second.
@Suite(.serialized) struct EvalContractTests {
    func json(_ args: [String]) throws -> [String: Any] {
        let r = try CLI.run(args)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        return try #require(obj, "stdout is not one JSON object: \(r.stdout)")
    }

    @Test func builtInTasks() throws {
        let o = try json(["eval", "--tasks", "wiki,news,books", "--context", "128", "--max-windows", "2",
                          "--format", "json", "--quiet"])
        #expect((o["model"] as? String)?.hasSuffix("SmolLM2-135M-Instruct.Q4_1.gguf") == true)
        let tasks = try #require(o["tasks"] as? [String: [String: Any]])
        #expect(Set(tasks.keys) == ["wiki", "news", "books"])
        for (name, t) in tasks {
            let ppl = try #require(t["perplexity"] as? Double)
            // A 135M model on English prose: far better than uniform (49152), worse than 3.
            #expect(ppl > 3 && ppl < 200, "\(name): \(ppl)")
            #expect(t["tokens"] as? Int == 2 * 127)  // 2 windows, every token after the first
        }
        #expect((o["tokens_per_second"] as? Double ?? 0) > 0)
    }

    @Test func textFileAndModesAgreeOnTheirOwnTerms() throws {
        let dir = try CLI.temporaryDirectory()
        let f = dir.appendingPathComponent("sample.txt")
        let corpus = try CLI.run(["corpus", "news"])
        #expect(corpus.status == 0)
        try Data(corpus.stdout.prefix(20_000).utf8).write(to: f)
        let plain = try json(["eval", CLI.defaultModel, "--text", f.path, "--context", "128", "--max-windows", "3",
                              "--format", "json", "--quiet"])
        let t = try #require((plain["tasks"] as? [String: [String: Any]])?["sample.txt"])
        #expect(t["tokens"] as? Int == 3 * 127)
        // llama.cpp mode scores only the second half of each window
        let half = try json(["eval", "--text", f.path, "--context", "128", "--max-windows", "3",
                             "--ppl-mode", "llamacpp", "--format", "json", "--quiet"])
        #expect((half["tasks"] as? [String: [String: Any]])?["sample.txt"]?["tokens"] as? Int == 3 * 63)
        // sliding windows: 3 windows of 128 starting every 64 tokens score 127 + 64 + 64 tokens
        let slide = try json(["eval", "--text", f.path, "--context", "128", "--max-windows", "3",
                              "--stride", "64", "--format", "json", "--quiet"])
        #expect((slide["tasks"] as? [String: [String: Any]])?["sample.txt"]?["tokens"] as? Int == 127 + 64 + 64)
    }

    /// `kl:news` with a quantized model: the task gains a "kl" object and the report a token-weighted
    /// "kl" summary. 8-bit per-row RTN barely moves the distributions (llama.cpp measures KL ≈ 0.001
    /// for q8_0); 4-bit per-row RTN moves them far more.
    @Test func klDivergenceAgainstTheBaseModel() throws {
        func kl(_ spec: String) throws -> (task: [String: Any], summary: [String: Any]) {
            let o = try json(["eval", "--tasks", "kl:news", "--quant", spec, "--method", "rtn", "--context", "128",
                              "--max-windows", "2", "--format", "json", "--quiet"])
            let task = try #require((o["tasks"] as? [String: [String: Any]])?["news"])
            return (try #require(task["kl"] as? [String: Any]), try #require(o["kl"] as? [String: Any]))
        }
        let w8 = try kl("w8a16-row-asym"), w4 = try kl("w4a16-row-asym")
        let m8 = try #require(w8.task["mean"] as? Double), m4 = try #require(w4.task["mean"] as? Double)
        #expect(m8 > 0 && m8 < 0.02, "W8 KL \(m8)")
        #expect(m4 > 10 * m8, "W4 KL \(m4) vs W8 \(m8)")
        #expect((w8.task["top1_agreement"] as? Double ?? 0) > 0.9)
        #expect(w8.task["tokens"] as? Int == 2 * 127 && w8.summary["tokens"] as? Int == 2 * 127)
        #expect(w8.summary["mean"] as? Double == m8)
        let base = try #require(w8.task["base_perplexity"] as? Double)
        #expect(base > 3 && base < 200)
    }

    /// `eval` of W3 g128 with `extra` (method and options) on 4 news windows of 128 tokens: the mean
    /// KL against the base model, and the whole JSON output.
    func klOfW3(_ extra: [String]) throws -> (mean: Double, output: [String: Any]) {
        let o = try json(["eval", "--tasks", "kl:news", "--quant", "w3a16-g128-asym", "--context", "128", "--max-windows", "4",
                          "--format", "json", "--quiet"] + extra)
        let task = try #require((o["tasks"] as? [String: [String: Any]])?["news"])
        return (try #require((task["kl"] as? [String: Any])?["mean"] as? Double), o)
    }

    /// ZeroQuant-Global on the real SmolLM2 (a CI-sized run: 8 calibration windows of 128 tokens,
    /// 8 steps per block, then 4 steps of the whole-model logit pass): W3 g128 moves the output
    /// distribution less than RTN at the same spec (KL on news), the label names its non-default
    /// knobs, the diagnostics carry the block losses and the logit pass's held-out KL (never above
    /// where it started); zq-global knobs on another method are an error.
    @Test func zeroQuantGlobalBeatsRTNOnKL() throws {
        let rtn = try klOfW3(["--method", "rtn"])
        let zq = try klOfW3(["--method", "zq-global", "--calib", "news", "--calib-samples", "8", "--calib-length", "128",
                         "--zq-steps", "8", "--zq-batch", "2", "--zq-logit-steps", "4"])
        #expect(zq.mean < 0.9 * rtn.mean, "zq-global KL \(zq.mean) vs RTN \(rtn.mean)")
        let quant = try #require(zq.output["quant"] as? [String: Any])
        #expect(quant["method"] as? String == "zq-global+steps8+batch2+logit4")
        let layers = try #require((quant["diagnostics"] as? [String: Any])?["layers"] as? [[String: Any]])
        #expect(layers.count == 210 && layers.allSatisfy { $0["block_loss_rtn"] is Double && $0["loss"] is Double })
        let before = try #require(layers[0]["logit_kl_before"] as? Double), after = try #require(layers[0]["logit_kl_final"] as? Double)
        #expect(before > 0 && after <= before && layers.allSatisfy { $0["logit_kl_final"] as? Double == after })
        for knob in [["--zq-steps", "5"], ["--zq-logit-steps", "5"]] {
            let wrong = try CLI.run(["eval", "--tasks", "news", "--quant", "w4a16-g128-asym", "--method", "gptq"] + knob)
            #expect(wrong.status != 0 && wrong.stderr.contains("zq-global options"), "\(knob)")
        }
    }

    /// AWQ on the real SmolLM2 (8 calibration windows of 128 tokens): W3 g128 AWQ + RTN moves the
    /// output distribution less than plain RTN (KL on news, held-out text), AWQ + GPTQ runs too, the
    /// diagnostics carry every scaled layer's exponent and the clipping, and AWQ knobs without AWQ
    /// are an error.
    @Test func awqBeatsRTNOnKL() throws {
        let calibration = ["--calib", "wiki", "--calib-samples", "8", "--calib-length", "128"]
        let rtn = try klOfW3(["--method", "rtn"])
        let awq = try klOfW3(["--method", "awq"] + calibration)
        #expect(awq.mean < 0.95 * rtn.mean, "AWQ KL \(awq.mean) vs RTN \(rtn.mean)")
        let quant = try #require(awq.output["quant"] as? [String: Any])
        #expect(quant["method"] as? String == "awq")
        let layers = try #require((quant["diagnostics"] as? [String: Any])?["layers"] as? [[String: Any]])
        // SmolLM2 has grouped-query attention: o_proj stays unscaled (as in llm-awq); q, k unclipped.
        #expect(layers.count == 210 && layers.filter { $0["awq_ratio"] is Double }.count == 180)
        #expect(layers.filter { $0["awq_clip_shrink"] is Double }.count == 150)
        let gptq = try klOfW3(["--method", "gptq", "--awq", "--awq-grid", "10"] + calibration)
        #expect(gptq.mean.isFinite && (gptq.output["quant"] as? [String: Any])?["method"] as? String == "gptq+awq+grid10")
        let wrong = try CLI.run(["eval", "--tasks", "news", "--quant", "w4a16-g128-asym", "--method", "gptq", "--awq-grid", "5"])
        #expect(wrong.status != 0 && wrong.stderr.contains("AWQ options"), "\(wrong.stderr)")
    }

    /// SmoothQuant on the real SmolLM2 (8 calibration windows of 128 tokens, α 0.5): at W8A8 it
    /// moves the output distribution less than plain RTN with static per-tensor activation ranges
    /// (measured on the Zen 4: KL 0.818 vs 1.034) and with dynamic per-token ranges (0.0246 vs
    /// 0.0412); its 60 norm-made groups (q/k/v and gate/up of 30 blocks) carry their diagnostics;
    /// composed with GPTQ it runs; its α on another method is an error.
    @Test func smoothQuantBeatsRTNAtW8A8() throws {
        func kl(_ spec: String, _ extra: [String]) throws -> (mean: Double, output: [String: Any]) {
            let o = try json(["eval", "--tasks", "kl:news", "--quant", spec, "--context", "128", "--max-windows", "4",
                              "--calib", "wiki", "--calib-samples", "8", "--calib-length", "128", "--format", "json", "--quiet"] + extra)
            let task = try #require((o["tasks"] as? [String: [String: Any]])?["news"])
            return (try #require((task["kl"] as? [String: Any])?["mean"] as? Double), o)
        }
        let staticRTN = try kl("w8a8-row-sym-tensor-static", ["--method", "rtn"])
        let staticSQ = try kl("w8a8-row-sym-tensor-static", ["--method", "smoothquant"])
        #expect(staticSQ.mean < 0.9 * staticRTN.mean, "SmoothQuant KL \(staticSQ.mean) vs RTN \(staticRTN.mean), static per tensor")
        let tokenRTN = try kl("w8a8-row-sym-tok", ["--method", "rtn"])
        let tokenSQ = try kl("w8a8-row-sym-tok", ["--method", "smoothquant", "--sq-alpha", "0.5"])
        #expect(tokenSQ.mean < 0.8 * tokenRTN.mean, "SmoothQuant KL \(tokenSQ.mean) vs RTN \(tokenRTN.mean), per token")
        let quant = try #require(staticSQ.output["quant"] as? [String: Any])
        #expect(quant["method"] as? String == "smoothquant")
        let layers = try #require((quant["diagnostics"] as? [String: Any])?["layers"] as? [[String: Any]])
        #expect(layers.count == 210 && layers.filter { $0["sq_max_scale"] is Double }.count == 150)
        let gptq = try kl("w8a8-row-sym-tok", ["--method", "gptq", "--smoothquant"])
        #expect(gptq.mean.isFinite && (gptq.output["quant"] as? [String: Any])?["method"] as? String == "gptq+smoothquant")
        let wrong = try CLI.run(["eval", "--tasks", "news", "--quant", "w8a8-row-sym-tok", "--method", "gptq", "--sq-alpha", "0.8"])
        #expect(wrong.status != 0 && wrong.stderr.contains("SmoothQuant option"), "\(wrong.stderr)")
    }

    /// Activation-only schemes and per-layer overrides on the real SmolLM2 (4 news windows of 128
    /// tokens): w16a8-tok keeps every weight (16 bits, every layer `w16`) and stays close to the
    /// base; w16a4-tok is far worse than w16a8-tok; a mixed recipe (W4 g128 with down_proj at W8
    /// per row, the last block left in full precision, the tied embedding/head at W8 g128) reports
    /// each layer's scheme and counts every layer in its bits and bytes, exactly; an override that
    /// matches no layer is an error naming it.
    @Test func activationOnlySchemesAndOverrides() throws {
        let a8 = try kl("w16a8-tok"), a4 = try kl("w16a4-tok")
        #expect(a8.mean < 0.05 && a4.mean > 10 * a8.mean, "W16A8 KL \(a8.mean), W16A4 \(a4.mean)")
        let q8 = try #require(a8.output["quant"] as? [String: Any])
        #expect(q8["effective_bits"] as? Double == 16 && q8["layer_schemes"] as? [String: Int] == ["w16": 210])

        let mixed = try kl("w4a16-g128-asym", ["--override", "*.down_proj=w8a16-row-asym", "--override", "*.{last}.*=w16a16",
                                               "--quant-embedding", "w8a16-g128-asym"])
        let q = try #require(mixed.output["quant"] as? [String: Any])
        #expect(q["method"] as? String == "rtn+mix[*.down_proj=w8a16-row-asym,*.{last}.*=w16a16]+embed[w8a16-g128-asym]")
        // First match wins: the last block's down_proj is W8; its other 6 linears stay in full precision.
        #expect(q["layer_schemes"] as? [String: Int] == ["w4a16-g128-asym": 174, "w8a16-row-asym": 30, "w16": 6])
        // SmolLM2-135M: d 576, kv 192, MLP 1536; per block q,o 576², k,v 576·192, gate,up 1536·576, down 576·1536.
        let (d, kv, f) = (576, 192, 1536)
        let g128 = { (rows: Int, cols: Int) in rows * cols * 4 + rows * ((cols + 127) / 128) * 32 }
        let row8 = { (rows: Int, cols: Int) in rows * cols * 8 + rows * 32 }
        let blockW4 = g128(d, d) * 2 + g128(kv, d) * 2 + g128(f, d) * 2
        let lastBlock = (d * d * 2 + kv * d * 2 + f * d * 2) * 16
        let bits = 29 * blockW4 + lastBlock + 30 * row8(d, f)
        let weights = 30 * (d * d * 2 + kv * d * 2 + f * d * 3)
        let effective = try #require(q["effective_bits"] as? Double)
        #expect(abs(effective - Double(bits) / Double(weights)) < 1e-12, "effective bits \(effective)")
        #expect(q["bytes"] as? Int == (bits + 7) / 8)
        let tables = try #require(q["token_tables"] as? [[String: Any]])
        let tableBits = 49152 * d * 8 + 49152 * 5 * 32   // 576 columns = 5 groups of 128 (the last one ragged)
        #expect(tables.count == 1 && tables[0]["name"] as? String == "model.embed_tokens" && tables[0]["spec"] as? String == "w8a16-g128-asym")
        #expect(tables.first?["bytes"] as? Int == (tableBits + 7) / 8)
        let wrong = try CLI.run(["eval", "--tasks", "news", "--quant", "w4a16-g128-asym", "--method", "rtn", "--override", "*.dense_4h_to_h=w8a16-row-asym"])
        #expect(wrong.status != 0 && wrong.stderr.contains("'*.dense_4h_to_h' matches no linear"), "\(wrong.stderr)")
    }

    func kl(_ spec: String, _ extra: [String] = ["--method", "rtn"]) throws -> (mean: Double, output: [String: Any]) {
        let o = try json(["eval", "--tasks", "kl:news", "--quant", spec, "--context", "128", "--max-windows", "4",
                          "--format", "json", "--quiet"] + (extra.contains("--method") ? extra : ["--method", "rtn"] + extra))
        let task = try #require((o["tasks"] as? [String: [String: Any]])?["news"])
        return (try #require((task["kl"] as? [String: Any])?["mean"] as? Double), o)
    }

    @Test func klNeedsAQuantizedModel() throws {
        let r = try CLI.run(["eval", "--tasks", "news", "--kl", "--context", "128", "--max-windows", "1", "--quiet"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--quant"), "\(r.stderr)")
    }

    @Test func inspectReportsStorageTypes() throws {
        let r = try CLI.run(["inspect", "--format", "json"])
        #expect(r.status == 0)
        let o = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(o["architecture"] as? String == "llama")
        #expect(o["tensor_count"] as? Int == 272)
        let storage = try #require(o["storage"] as? [[String: Any]])
        let q41 = try #require(storage.first { $0["type"] as? String == "Q4_1" })
        #expect(q41["bits_per_weight"] as? Double == 5.0)  // 20 bytes per 32 weights
        #expect((o["tokenizer"] as? String)?.contains("smollm") == true)
    }
}
