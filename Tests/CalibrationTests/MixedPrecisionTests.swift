import Quantization
import Testing
@testable import Calibration

/// Per-layer overrides, activation-only specs and token-table specs: the parts that decide which
/// layer gets which scheme, and the recipes that must be refused.
@Suite struct MixedPrecisionTests {
    @Test func layerPatternsAreWholeNameGlobs() {
        let down = LayerPattern("*.down_proj")
        #expect(down.matches("model.layers.3.mlp.down_proj", blocks: 30))
        #expect(!down.matches("model.layers.3.mlp.down_proj.extra", blocks: 30))
        #expect(!down.matches("model.layers.3.mlp.up_proj", blocks: 30))
        let last = LayerPattern("*.{last}.*"), first = LayerPattern("*.{first}.*")
        #expect(last.matches("model.layers.29.self_attn.q_proj", blocks: 30))
        #expect(!last.matches("model.layers.2.self_attn.q_proj", blocks: 30))
        #expect(last.matches("transformer.h.11.attn.c_attn", blocks: 12))
        #expect(first.matches("model.layers.0.mlp.gate_proj", blocks: 30) && !first.matches("model.layers.10.mlp.gate_proj", blocks: 30))
        #expect(LayerPattern("model.layers.?.mlp.*").matches("model.layers.7.mlp.up_proj", blocks: 30))
        #expect(!LayerPattern("model.layers.?.mlp.*").matches("model.layers.17.mlp.up_proj", blocks: 30))
        #expect(LayerPattern("*a*b*c").matches("xxaxxbxxbxxc", blocks: 1) && !LayerPattern("*a*b*c").matches("xxaxxcxxb", blocks: 1))
        #expect(LayerPattern("").problem != nil && LayerPattern("*.{middle}.*").problem != nil && last.problem == nil)
    }

    @Test func overridesParseAndNameTheirProblems() throws {
        let o = try LayerOverride.parse("*.down_proj=W8A16-row-asym:gptq")
        #expect(o == LayerOverride(pattern: "*.down_proj", spec: "w8a16-row-asym", method: "gptq"))
        #expect(o.description == "*.down_proj=w8a16-row-asym:gptq")
        #expect(try LayerOverride.parse("*.{last}.*=w16a16").method == nil)
        #expect(throws: (any Error).self) { try LayerOverride.parse("*.down_proj") }
        #expect(throws: (any Error).self) { try LayerOverride.parse("*.down_proj=w9a16-row-asym") }
        #expect(LayerOverride(pattern: "*.o_proj", spec: "w4a16-row-asym", method: "zq-global").problem?.contains("per-layer method") == true)
    }

    @Test func fullPrecisionWeightSpecs() throws {
        for text in ["w16a8-tok", "w16a4-tok-asym", "w16a8-tensor-static", "w16a16"] {
            let spec = try QuantSpec.parse(text)
            #expect(!spec.weight.isQuantized && spec.description == text)
        }
        #expect(try QuantSpec.parse("w16a8").description == "w16a8-tok")
        for bad in ["w16a8-row-sym", "w16a8-g128", "w16a8-tok-f32scale", "w16a16-tok", "w16a8-tok-static", "w12a8-tok"] {
            #expect(throws: QuantSpecError.self, "\(bad)") { try QuantSpec.parse(bad) }
        }
        #expect(throws: QuantSpecError.self) { try WeightScheme.fullPrecision.validate() }
    }

    @Test func recipesThatCannotRun() {
        #expect(QuantRecipe(spec: "w16a16", method: "rtn").problem()?.contains("quantizes nothing") == true)
        #expect(QuantRecipe(spec: "w16a16", method: "rtn", overrides: [LayerOverride(pattern: "*.down_proj", spec: "w4a16-g128-asym")]).problem() == nil)
        #expect(QuantRecipe(spec: "w16a8-tok", method: "awq").problem()?.contains("AWQ searches scales") == true)
        #expect(QuantRecipe(spec: "w16a8-tok", method: "smoothquant").problem() == nil)
        // w16 weights have no symmetric grid: none is written into the recipe's identity.
        #expect(QuantRecipe(spec: "w16a8-tok", method: "rtn").weightGrid == nil && QuantRecipe(spec: "w16a8-tok", method: "rtn").effectiveWeightGrid == nil)
        #expect(QuantRecipe(spec: "w4a16-g128-asym", method: "zq-global", overrides: [LayerOverride(pattern: "*.o_proj", spec: "w8a16-row-asym")])
            .problem()?.contains("zq-global") == true)
        #expect(QuantRecipe(spec: "w4a16-g128-asym", method: "rtn", embedding: "w8a8-row-sym-tok").problem()?.contains("only the weights") == true)
        #expect(QuantRecipe(spec: "w4a16-g128-asym", method: "rtn", head: "w16a16").problem()?.contains("leave it out") == true)
        // Overrides that calibrate make the recipe calibrate; labels name overrides and token tables.
        let mixed = QuantRecipe(spec: "w4a16-g128-asym", method: "rtn", overrides: [LayerOverride(pattern: "*.down_proj", spec: "w4a16-row-asym", method: "gptq")],
                                embedding: "w8a16-row-sym")
        #expect(mixed.methodNeedsHessian && (try? mixed.needsCalibration()) == true)
        #expect(mixed.methodLabel == "rtn+mix[*.down_proj=w4a16-row-asym:gptq]+embed[w8a16-row-sym]")
        let staticOverride = QuantRecipe(spec: "w4a16-g128-asym", method: "rtn", overrides: [LayerOverride(pattern: "*.o_proj", spec: "w16a8-tensor-static")])
        #expect((try? staticOverride.needsCalibration()) == true && !staticOverride.methodNeedsHessian)
    }
}
