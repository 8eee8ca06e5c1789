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
