import Foundation
import ModelFormats
import Models
import Testing
import Tokenizers
@testable import Evaluation

/// A model family's reference numbers from PyTorch transformers loading the same GGUF
/// (Fixtures/reference/<model>.json, from scripts/reference/family_reference.py), and the checks
/// the Qwen2 and Gemma 3 suites share. Token ids are llama.cpp's (llama-cpp-python tokenizing with
/// the same GGUF), with transformers' GGUF tokenizer recorded beside them; PyTorch ran on
/// llama.cpp's ids, which ours must equal exactly.
struct FamilyReference: Decodable {
    struct TransformersTokens: Decodable { let count: Int; let sha256: String; let agreeing_prefix: Int }
    struct Corpus: Decodable {
        let count: Int
        let sha256: String
        let head: [Int32]
        let transformers: TransformersTokens
    }
    struct Position: Decodable {
        let position: Int
        let lse: Double
        let argmax: Int
        let probe: [Double]
        let next_logit: Double?
    }
    struct Prompt: Decodable {
        let text: String
        let ids_plain: [Int32]
        let ids: [Int32]
        let ids_transformers: [Int32]
        let positions: [Position]
    }
    struct LongPrompt: Decodable { let corpus: String; let tokens: Int; let positions: [Position] }
    struct Task: Decodable { let perplexity: Double; let tokens: Int; let window_nll: [Double] }
    struct Perplexity: Decodable { let context: Int; let windows: Int; let tasks: [String: Task] }

    let adds_bos: Bool
    let vocab: Int
    let tokenizer_reference: String
    let tokenizer: [String: Corpus]
    let probe_ids: [Int]
    let prompts: [Prompt]
    let long_prompt: LongPrompt
    let perplexity: Perplexity

    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    static func load(_ name: String) throws -> FamilyReference {
        let path = packageRoot + "/Fixtures/reference/\(name).json"
        return try JSONDecoder().decode(FamilyReference.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Whether the model's chunks (or its joined file) are installed: suites using it skip otherwise.
    static func isInstalled(_ model: NamedModel) -> Bool {
        guard let root = AssetLocator().root else { return false }
        return model.isInstalled(root: root)
    }

    /// First windows per corpus checked against PyTorch: 1 by default (the suite stays cheap), up to
    /// the fixture's 8 with PTQLAB_FAMILY_WINDOWS=8.
    static var perplexityWindows: Int {
        ProcessInfo.processInfo.environment["PTQLAB_FAMILY_WINDOWS"].flatMap(Int.init) ?? 1
    }

    /// Our ids for each corpus's held-out text are exactly the reference's: count, first ids,
    /// SHA-256; and the prompts' ids too. The reference is llama.cpp's tokenizer, or transformers'
    /// GGUF tokenizer where the fixture was made without llama-cpp-python (Qwen2.5-Coder-1.5B; for
    /// Qwen2 the two agree on every corpus, as the 0.5B fixture shows).
    func checkCorpusTokens(_ tokenizer: Tokenizer, label: String) throws {
        #expect(tokenizer_reference.hasPrefix("llama.cpp") || tokenizer_reference == "transformers",
                "the fixture's ids should come from llama.cpp or transformers")
        let assets = AssetLocator()
        for name in Corpora.builtInNames {
            let expected = try #require(self.tokenizer[name])
            let ids = tokenizer.encode(try Corpora.load(name, assets: assets).evaluation, addSpecial: true)
            #expect(ids.count == expected.count, "\(label) \(name): \(ids.count) tokens, llama.cpp gives \(expected.count)")
            #expect(Array(ids.prefix(64)) == expected.head, "\(label) \(name): first tokens differ")
            let bytes = ids.withUnsafeBufferPointer { Array(UnsafeRawBufferPointer($0)) }  // little-endian int32
            #expect(SHA256.hex(bytes: bytes) == expected.sha256, "\(label) \(name): token ids differ from llama.cpp's")
        }
        for prompt in prompts {
            #expect(tokenizer.encode(prompt.text, addSpecial: false) == prompt.ids_plain, "\(label): \(prompt.text.debugDescription)")
            #expect(tokenizer.encode(prompt.text, addSpecial: true) == prompt.ids, "\(label) with BOS: \(prompt.text.debugDescription)")
        }
    }

    /// Worst differences of our logits from PyTorch's over the given runs.
    struct LogitErrors: CustomStringConvertible {
        var probe = 0.0, lse = 0.0, next = 0.0, argmaxMismatches = 0, positions = 0
        var description: String {
            "worst probe logit diff \(probe), worst lse diff \(lse), worst next-token logit diff \(next), "
                + "argmax mismatches \(argmaxMismatches)/\(positions)"
        }
    }

    /// Runs `ids` through `model` and compares the listed positions.
    func compareLogits(_ model: any CausalLanguageModel, ids: [Int32], positions: [Position],
                       into errors: inout LogitErrors) throws {
        let wanted = Dictionary(uniqueKeysWithValues: positions.map { ($0.position, $0) })
        let vocab = model.vocabularySize
        var local = errors
        try model.forward(windows: [ids], observer: nil) { first, rows, logits in
            for r in 0..<rows {
                guard let ref = wanted[first + r] else { continue }
                let row = logits + r * vocab
                var best = 0
                for j in 0..<vocab where row[j] > row[best] { best = j }
                local.positions += 1
                if best != ref.argmax { local.argmaxMismatches += 1 }
                for (k, id) in probe_ids.enumerated() { local.probe = max(local.probe, abs(Double(row[id]) - ref.probe[k])) }
                var m = -Double.infinity
                for j in 0..<vocab { m = max(m, Double(row[j])) }
                var s = 0.0
                for j in 0..<vocab { s += Foundation.exp(Double(row[j]) - m) }
                local.lse = max(local.lse, abs(m + Foundation.log(s) - ref.lse))
                if let next = ref.next_logit, first + r + 1 < ids.count {
                    local.next = max(local.next, abs(Double(row[Int(ids[first + r + 1])]) - next))
                }
            }
        }
        errors = local
    }

    /// Mean NLL of the first `windows` windows of each corpus against PyTorch's, per window.
    /// Returns the worst relative difference of a window's NLL sum.
    func comparePerplexity(_ loaded: LoadedModel, windows: Int, label: String) throws -> Double {
        let assets = AssetLocator()
        let evaluator = PerplexityEvaluator(model: loaded.model)
        var worst = 0.0
        for name in Corpora.builtInNames {
            let expected = try #require(perplexity.tasks[name])
            let n = min(windows, expected.window_nll.count)
            let tokens = loaded.tokenizer.encode(try Corpora.load(name, assets: assets).evaluation, addSpecial: true)
            let r = try evaluator.evaluate(tokens: tokens, options: .init(context: perplexity.context, maxWindows: n),
                                           showProgress: false)
            #expect(r.tokens == n * (perplexity.context - 1))
            let ours = r.meanNLL * Double(r.tokens)
            let theirs = expected.window_nll.prefix(n).reduce(0, +)
            let rel = abs(ours - theirs) / theirs
            worst = max(worst, rel)
            print("\(label) \(name): \(n) window(s), ours NLL sum \(ours) (ppl \(r.perplexity)), PyTorch \(theirs), relative \(rel)")
        }
        return worst
    }
}
