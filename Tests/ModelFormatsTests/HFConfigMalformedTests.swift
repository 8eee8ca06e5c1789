import Foundation
import Testing
@testable import ModelFormats

/// Every malformed config.json is a `FormatError` naming the file and the key.
@Suite struct HFConfigMalformedTests {
    static let file = "models/x/config.json"

    private func field(of json: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        let error = TestFiles.formatError(sourceLocation: sourceLocation) {
            _ = try LlamaConfig(jsonData: Data(json.utf8), file: Self.file)
        }
        #expect(error?.file == Self.file, sourceLocation: sourceLocation)
        return error?.field
    }

    private func replacing(_ key: String, with value: String) -> String {
        let base = HFConfigTests.minimal()
        guard let range = base.range(of: "\"\(key)\": [^,}]+", options: .regularExpression) else {
            Issue.record("no key \(key)")
            return base
        }
        return base.replacingCharacters(in: range, with: "\"\(key)\": \(value)")
    }

    private func removing(_ key: String) -> String {
        let base = HFConfigTests.minimal()
        guard let range = base.range(of: "\"\(key)\": [^,}]+,?", options: .regularExpression) else { return base }
        return base.replacingCharacters(in: range, with: "")
    }

    @Test func invalidJSON() {
        #expect(field(of: "{\"model_type\": \"llama\",") == "JSON")
        #expect(field(of: "") == "JSON")
        #expect(field(of: "[]") == "(root)")
    }

    @Test(arguments: ["model_type", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
                      "rms_norm_eps", "max_position_embeddings", "vocab_size"])
    func missingRequiredKey(_ key: String) {
        #expect(field(of: removing(key)) == key)
    }

    @Test func wrongTypes() {
        #expect(field(of: replacing("hidden_size", with: "\"576\"")) == "hidden_size")
        #expect(field(of: replacing("hidden_size", with: "576.5")) == "hidden_size")
        #expect(field(of: replacing("num_hidden_layers", with: "null")) == "num_hidden_layers")
        #expect(field(of: replacing("rms_norm_eps", with: "\"small\"")) == "rms_norm_eps")
        #expect(field(of: HFConfigTests.minimal("\"tie_word_embeddings\": \"yes\"")) == "tie_word_embeddings")
        #expect(field(of: HFConfigTests.minimal("\"eos_token_id\": [1, \"2\"]")) == "eos_token_id[1]")
        #expect(field(of: HFConfigTests.minimal("\"rope_scaling\": {\"rope_type\": \"linear\", \"factor\": \"2\"}"))
            == "rope_scaling.factor")
        #expect(field(of: HFConfigTests.minimal("\"rope_scaling\": 2")) == "rope_scaling")
    }

    @Test func unsupportedModelType() throws {
        let json = replacing("model_type", with: "\"gemma3\"")
        let error = TestFiles.formatError { _ = try LlamaConfig(jsonData: Data(json.utf8), file: Self.file) }
        #expect(error?.field == "model_type")
        #expect(error?.message == "model type 'gemma3' is not supported yet (supported: llama, mistral, qwen2)")
    }

    @Test func nonsenseValues() {
        #expect(field(of: replacing("hidden_size", with: "65")) == "hidden_size") // not divisible by 4 heads
        #expect(field(of: replacing("num_hidden_layers", with: "0")) == "num_hidden_layers")
        #expect(field(of: replacing("num_attention_heads", with: "-4")) == "num_attention_heads")
        #expect(field(of: replacing("vocab_size", with: "0")) == "vocab_size")
        #expect(field(of: replacing("rms_norm_eps", with: "0")) == "rms_norm_eps")
        #expect(field(of: HFConfigTests.minimal("\"num_key_value_heads\": 3")) == "num_key_value_heads")
        #expect(field(of: HFConfigTests.minimal("\"num_key_value_heads\": 0")) == "num_key_value_heads")
        #expect(field(of: HFConfigTests.minimal("\"head_dim\": 7")) == "head_dim")
        #expect(field(of: HFConfigTests.minimal("\"head_dim\": 0")) == "head_dim")
        #expect(field(of: HFConfigTests.minimal("\"rope_theta\": -1")) == "rope_theta")
        #expect(field(of: HFConfigTests.minimal("\"hidden_act\": \"gelu\"")) == "hidden_act")
        let mistral = HFConfigTests.minimal("\"sliding_window\": 0").replacingOccurrences(of: "\"llama\"", with: "\"mistral\"")
        #expect(field(of: mistral) == "sliding_window")
    }

    @Test func badRopeScaling() {
        func ropeField(_ json: String) -> String? { field(of: HFConfigTests.minimal("\"rope_scaling\": \(json)")) }
        #expect(ropeField("{\"rope_type\": \"longrope\", \"factor\": 2}") == "rope_scaling.rope_type")
        #expect(ropeField("{\"type\": \"su\"}") == "rope_scaling.type")
        #expect(ropeField("{\"rope_type\": \"linear\"}") == "rope_scaling.factor")
        #expect(ropeField("{\"rope_type\": \"linear\", \"factor\": 0}") == "rope_scaling.factor")
        #expect(ropeField("{\"rope_type\": \"llama3\", \"factor\": 8, \"low_freq_factor\": 1}")
            == "rope_scaling.high_freq_factor")
        #expect(ropeField("{\"rope_type\": \"llama3\", \"factor\": 8, \"low_freq_factor\": 4, \"high_freq_factor\": 4}")
            == "rope_scaling.high_freq_factor")
        #expect(ropeField("{\"rope_type\": \"yarn\", \"factor\": 4, \"original_max_position_embeddings\": 0}")
            == "rope_scaling.original_max_position_embeddings")
    }

    @Test func unreadableFile() {
        let error = TestFiles.formatError { _ = try LlamaConfig(contentsOf: "/nonexistent/config.json") }
        #expect(error?.file == "/nonexistent/config.json")
        #expect(error?.field == "file")
    }
}
