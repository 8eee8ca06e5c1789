import Calibration
import Evaluation
import Export
import Foundation
import ModelFormats
import Models
import Testing

/// `ptqlab eval --ppl-mode llamacpp --llamacpp-arithmetic` on a quantized GGUF gives the perplexity
/// `llama-perplexity` gives on it. Fixtures/reference/llama_perplexity_smollm2.json holds
/// llama-perplexity's numbers (llama.cpp from the pinned llama-cpp-python sdist) under three of its
/// settings (default: flash attention and f16 KV cache; flash attention off; f32 KV cache) for the
/// installed SmolLM2 GGUF (Q4_1 block linears: Q8_1 activation rounding) and for llama-quantize's
/// Q4_K_M of it (Q4_K/Q6_K: Q8_K; Q5_0/Q8_0 fallbacks: Q8_0), which `--quant q4_k_m --method rtn`
/// reproduces byte for byte (`SmolLM2ExportTests.rtnQ4KMEqualsLlamaQuantize`), on 64 windows of
/// 512 tokens of the text `ptqlab corpus wiki --part evaluation` prints.
///
/// Tolerance: within 0.1% of the range llama.cpp's own settings span. Rounding every layer's
/// input to 8-bit codes makes the result depend on the last bit of the sums before it (a flipped
/// code is a whole step), so summation order moves perplexity: llama.cpp's own result on the same
/// file and tokens moves by 0.12% (Q4_1) and 0.24% (Q4_K_M) between these settings, and ours by
/// up to 0.07% between our GEMM backends. Measured on AMD EPYC Zen 4 (AVX-512 GEMM): 19.2961 in
/// [19.2780, 19.3013] and 20.2351 in [20.2045, 20.2521]. In f32 arithmetic (no rounding) ours is
/// 0.24% and 0.23% below llama.cpp's lowest, outside the band: the test tells the two apart.
@Suite(.serialized) struct LlamaPerplexityAgreementTests {
    struct Reference: Decodable {
        struct File: Decodable {
            /// llama-perplexity under each of its settings
            let llamaPerplexity: [String: Double]
            let f32Arithmetic: Double
        }
        let context: Int
        let windows: Int
        let files: [String: File]
    }

    static func reference() throws -> Reference {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let url = ExportTestSupport.packageRoot.appendingPathComponent("Fixtures/reference/llama_perplexity_smollm2.json")
        return try decoder.decode(Reference.self, from: Data(contentsOf: url))
    }

    /// ptqlab's llama.cpp-protocol perplexity of the GGUF at `path` with llama.cpp's arithmetic.
    func perplexity(_ path: String, _ ref: Reference, assets: AssetLocator) throws -> (Double, LlamaCppArithmetic.Installed) {
        let loaded = try ModelLoader.load(path: path)
        let installed = try LlamaCppArithmetic.install(on: loaded.model, ggufPath: path)
        let tokens = loaded.tokenizer.encode(try Corpora.load("wiki", assets: assets).evaluation, addSpecial: true)
        // as `ptqlab eval` and llama-perplexity: BOS first only when the tokenizer adds one
        let options = PerplexityOptions(context: ref.context, maxWindows: ref.windows, mode: .llamaCppHalfWindow,
                                        bosToken: loaded.tokenizer.addsBos ? loaded.tokenizer.bosTokenId : nil)
        let r = try PerplexityEvaluator(model: loaded.model).evaluate(tokens: tokens, options: options, showProgress: false)
        #expect(r.windows == ref.windows)
        return (r.perplexity, installed)
    }

    func check(_ label: String, ours: Double, _ ref: Reference) throws {
        let file = try #require(ref.files[label])
        let llama = file.llamaPerplexity.values
        let low = try #require(llama.min()) * (1 - 0.001), high = try #require(llama.max()) * (1 + 0.001)
        #expect(llama.count == 3)
        #expect(ours >= low && ours <= high,
                "\(label): ours \(ours), llama-perplexity \(file.llamaPerplexity.sorted { $0.key < $1.key }) (band \(low)…\(high))")
        // the band tells emulation from none: f32 arithmetic falls outside it
        #expect(file.f32Arithmetic < low || file.f32Arithmetic > high)
    }

    @Test func installedQ4_1FileMatchesLlamaPerplexity() throws {
        let assets = AssetLocator(), ref = try Self.reference()
        let (ppl, installed) = try perplexity(try assets.defaultModel, ref, assets: assets)
        #expect(installed.roundings["Q8_1"] == 210)   // every block linear is Q4_1
        try check("SmolLM2-135M-Instruct.Q4_1", ours: ppl, ref)
    }

    @Test func llamaQuantizeQ4KMFileMatchesLlamaPerplexity() throws {
        let assets = AssetLocator(), ref = try Self.reference()
        let dir = try ExportTestSupport.temporaryDirectory("llama-ppl-q4km")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/model.gguf"
        try ExportTestSupport.exportSmolLM2RTN("q4_k_m", to: path)
        let (ppl, installed) = try perplexity(path, ref, assets: assets)
        #expect((installed.roundings["Q8_K"] ?? 0) > 0 && (installed.roundings["Q8_0"] ?? 0) > 0)
        try check("Q4_K_M", ours: ppl, ref)
    }

    /// A file llama.cpp's CPU backend has no product for, or not a GGUF, is refused by name.
    @Test func refusesWhatItCannotEmulate() throws {
        let dir = try ExportTestSupport.temporaryDirectory("llama-ppl-refuse")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let assets = AssetLocator()
        let loaded = try ModelLoader.load(path: try assets.defaultModel)
        #expect { try LlamaCppArithmetic.install(on: loaded.model, ggufPath: dir) } throws: { error in
            guard let e = error as? ModelInputError else { return false }
            return e.message.contains(dir) && e.message.contains("not a GGUF")
        }
    }
}
