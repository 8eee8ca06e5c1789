import Foundation
import Testing
@testable import ModelFormats

/// GPTQModel's per-module `dynamic` overrides in quantization_config, read as vLLM reads them
/// (`re.match`: anchored at the start of the module name): a positive pattern's bits, the base
/// bits otherwise, nil for a `-:` (unquantized) module. The config below is GPTQModel's own
/// published example (ModelCloud/TinyLlama-1.1B-Chat-v1.0-GPTQ-4bits-dynamic-cfg): layers 2 and up
/// left unquantized, layer 1 at 8 bits.
@Suite struct GPTQDynamicConfigTests {
    @Test func overridesResolvePerModule() throws {
        let json = #"""
        {"quant_method": "gptq", "bits": 4, "group_size": 128, "desc_act": true, "sym": true, "checkpoint_format": "gptq",
         "dynamic": {"-:model\\.layers\\.([2-9]\\d*|[1-9]\\d+)\\..*": {}, ".*\\.1\\..*": {"bits": 8, "group_size": 32, "desc_act": false}}}
        """#
        let config = try JSONDecoder().decode(GPTQQuantizationConfig.self, from: Data(json.utf8))
        #expect(try config.bits(of: "model.layers.1.mlp.down_proj", file: "c") == 8)
        #expect(try config.bits(of: "model.layers.0.mlp.down_proj", file: "c") == 4)
        #expect(try config.bits(of: "model.layers.2.self_attn.q_proj", file: "c") == nil)
        #expect(try config.bits(of: "model.layers.21.self_attn.q_proj", file: "c") == nil)
        // Our own exact patterns name one module only.
        let exact = GPTQQuantizationConfig.exactPattern("model.layers.1.mlp.up_proj", excluded: false)
        #expect(exact == "+:^model\\.layers\\.1\\.mlp\\.up_proj$")
        var ours = config
        ours.dynamic = [exact: .init(bits: 8), GPTQQuantizationConfig.exactPattern("model.layers.1.mlp.up", excluded: true): .init()]
        #expect(try ours.bits(of: "model.layers.1.mlp.up_proj", file: "c") == 8)
        #expect(try ours.bits(of: "model.layers.11.mlp.up_proj", file: "c") == 4)
        #expect(try ours.bits(of: "model.layers.1.mlp.up", file: "c") == nil)
        ours.dynamic = ["+:.*up_proj": .init(bits: 8), "+:model.*": .init(bits: 2)]
        #expect(throws: FormatError.self) { try ours.bits(of: "model.layers.1.mlp.up_proj", file: "c") }
        ours.dynamic = ["+:([": .init(bits: 8)]
        #expect(throws: FormatError.self) { try ours.bits(of: "model.layers.1.mlp.up_proj", file: "c") }
    }
}
