import Foundation
import Testing
@testable import ModelFormats

/// The real SmolLM2-135M Q4_1 GGUF (Q4_1 blocks, Q8_0 token embedding, F32 norms).
@Suite(.enabled(if: GGUFTestSupport.hasSmolLM2, "SmolLM2 GGUF asset not installed"))
struct GGUFRealModelTests {
    @Test func metadata() throws {
        let file = try GGUFFile(path: GGUFTestSupport.smolLM2Path)
        #expect(file.version == 3)
        #expect(file.architecture == "llama")
        #expect(file["llama.block_count"]?.asInt == 30)
        #expect(file["llama.embedding_length"]?.asInt == 576)
        #expect(file["llama.attention.head_count"]?.asInt == 9)
        #expect(file["llama.attention.head_count_kv"]?.asInt == 3)
        #expect(file["llama.rope.freq_base"]?.asFloat == 100_000)
        #expect(file["general.languages"]?.asStringArray == ["en"])
        #expect(file["tokenizer.ggml.model"]?.asString == "gpt2")
        #expect(file["tokenizer.ggml.tokens"]?.asStringArray?.count == 49152)
        #expect(file["tokenizer.ggml.merges"]?.asStringArray?.count == 48900)
        #expect(file["tokenizer.ggml.token_type"]?.asIntArray?.count == 49152)
        #expect(file["tokenizer.ggml.add_bos_token"]?.asBool != nil)
        #expect(file.metadataKeys.count == 33)
        #expect(file.metadataKeys.first == "general.architecture")
        #expect(file.alignment == 32)
    }

    @Test func tensorInfos() throws {
        let file = try GGUFFile(path: GGUFTestSupport.smolLM2Path)
        #expect(file.tensors.count == 272)
        #expect(file.tensorNames.count == 272)
        let embedding = try #require(file.tensor(named: "token_embd.weight"))
        #expect(embedding.type == .q8_0)
        #expect(embedding.dimensions == [576, 49152])
        #expect(file.shape(of: "token_embd.weight") == [49152, 576])
        #expect(file.storageType(of: "token_embd.weight") == "Q8_0")
        #expect(file.shape(of: "blk.0.ffn_down.weight") == [576, 1536])
        #expect(file.storageType(of: "blk.0.attn_q.weight") == "Q4_1")
        #expect(file.storageType(of: "blk.0.attn_norm.weight") == "F32")
        #expect(file.shape(of: "blk.0.attn_norm.weight") == [576])
        #expect(file.tensors.filter { $0.type == .q4_1 }.count == 210)
        #expect(file.tensors.filter { $0.type == .f32 }.count == 61)
        #expect(file.contains("output.weight") == false)
    }
}

/// Dequantization of the real model against gguf-py (Fixtures/gguf/smollm2_reference.json).
@Suite(.enabled(if: GGUFTestSupport.hasSmolLM2, "SmolLM2 GGUF asset not installed"))
struct GGUFRealModelDequantizationTests {
    struct Reference: Decodable {
        let type: String
        let count: Int
        let first64_bits: [UInt32]
        let last8_bits: [UInt32]
        let sum: Double
        let sum_of_squares: Double
    }

    @Test(arguments: ["blk.0.attn_q.weight", "token_embd.weight", "blk.0.attn_norm.weight", "blk.29.ffn_down.weight"])
    func matchesGGUFPy(_ name: String) throws {
        let references = try JSONDecoder().decode([String: Reference].self,
                                                  from: GGUFTestSupport.fixtureData("smollm2_reference.json"))
        let reference = try #require(references[name])
        let file = try GGUFFile(path: GGUFTestSupport.smolLM2Path)
        #expect(file.storageType(of: name) == reference.type)
        let tensor = try file.loadFloat32(name)
        #expect(tensor.count == reference.count)
        let values = tensor.array
        #expect(values.prefix(64).map(\.bitPattern) == reference.first64_bits)
        #expect(values.suffix(8).map(\.bitPattern) == reference.last8_bits)
        var sum = 0.0, squares = 0.0
        for v in values { sum += Double(v); squares += Double(v) * Double(v) }
        #expect(abs(sum - reference.sum) <= 1e-9 * max(1, abs(reference.sum)) + 1e-6)
        #expect(abs(squares - reference.sum_of_squares) <= 1e-9 * reference.sum_of_squares)
    }

    @Test func wholeModelDequantizesQuickly() throws {
        let file = try GGUFFile(path: GGUFTestSupport.smolLM2Path)
        // Warm the page cache so the timing measures decoding, not disk.
        _ = try file.tensors.map { try file.loadFloat32($0.name).count }
        let start = DispatchTime.now().uptimeNanoseconds
        var elements = 0
        for info in file.tensors {
            elements += try file.loadFloat32(info.name).count
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        print("SmolLM2: dequantized \(elements) values in \(String(format: "%.3f", seconds)) s")
        #expect(elements == file.tensors.reduce(0) { $0 + $1.elementCount })
        #expect(seconds < 3, "whole-model dequantization took \(seconds) s")
    }
}
