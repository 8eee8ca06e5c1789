import Models
import Quantization
import Testing
@testable import Calibration

/// llama.cpp's named type mixes and the size-budget allocation: which tensor gets which ggml type.
@Suite struct GGUFTypeMixTests {
    /// use_more_bits over 30 layers (SmolLM2): the first 3, the last 4, and every third between.
    @Test func moreBitsLayersFollowLlamaCpp() {
        let chosen = (0..<30).filter { LlamaCppMix.moreBits($0, 30) }
        #expect(chosen == [0, 1, 2, 5, 8, 11, 14, 17, 20, 23, 26, 27, 28, 29])
    }

    @Test func mixRulesPerTensor() {
        func t(_ mix: LlamaCppMix, _ name: String, _ i: Int, gqa: Int = 3) -> GGMLBlockGrid {
            mix.type(ofLinear: "model.layers.\(i).\(name)", block: i, blocks: 30, gqa: gqa)
        }
        #expect(t(.q4_k_m, "self_attn.v_proj", 5) == .q6_k && t(.q4_k_m, "self_attn.v_proj", 6) == .q4_k)
        #expect(t(.q4_k_m, "mlp.down_proj", 29) == .q6_k && t(.q4_k_m, "mlp.up_proj", 0) == .q4_k)
        #expect(t(.q3_k_m, "self_attn.v_proj", 1) == .q5_k && t(.q3_k_m, "self_attn.v_proj", 2) == .q4_k)
        #expect(t(.q3_k_m, "mlp.down_proj", 0) == .q5_k && t(.q3_k_m, "mlp.down_proj", 2) == .q4_k)   // 30/16 = 1
        #expect(t(.q3_k_m, "self_attn.o_proj", 9) == .q4_k && t(.q3_k_m, "self_attn.q_proj", 9) == .q3_k)
        #expect(t(.q2_k, "self_attn.v_proj", 3, gqa: 3) == .q3_k && t(.q2_k, "self_attn.v_proj", 3, gqa: 7) == .q4_k)
        #expect(t(.q2_k, "mlp.down_proj", 3) == .q3_k && t(.q2_k, "mlp.gate_proj", 3) == .q2_k)
        #expect(t(.q4_k_s, "self_attn.v_proj", 3) == .q5_k && t(.q4_k_s, "self_attn.v_proj", 4) == .q4_k)
    }

    /// A mix given as the spec: the base type as the spec, the mix's embedding and output types,
    /// and a label that names it; a size budget needs a ggml spec.
    @Test func recipesNameTheMix() throws {
        let r = QuantRecipe(spec: "Q4_K_M", method: "imatrix")
        #expect(r.spec == "q4_k" && r.mix == "q4_k_m" && r.embedding == "q4_k" && r.head == "q6_k")
        #expect(r.methodLabel.contains("+llama.cpp-q4_k_m"))
        #expect(r.problem() == nil)
        #expect(try r.needsCalibration())
        #expect(QuantRecipe(spec: "w4a16-g32-asym", method: "rtn", targetBitsPerWeight: 4.5).problem()?.contains("ggml") == true)
        #expect(QuantRecipe(spec: "w4a16-g32-asym", method: "imatrix").problem()?.contains("ggml") == true)
        #expect(QuantRecipe(spec: "q4_k", method: "zq-local").problem() == nil)
        #expect(QuantRecipe(spec: "q4_k", method: "zq-global").problem()?.contains("zq-global") == true)
        #expect(QuantRecipe(spec: "q4_k_m", method: "rtn", targetBitsPerWeight: 5).methodLabel.contains("+bpw5.0"))
    }

    /// The allocation meets the budget, spends it (never leaves an affordable upgrade), and at
    /// the extremes takes the cheapest or the least lossy option of every layer; on a small
    /// instance it equals the exhaustive optimum.
    @Test func sizeBudgetAllocation() throws {
        func option(_ t: GGMLBlockGrid, _ bits: Int, _ loss: Double) -> SizeBudget.Option { .init(type: t, bits: bits, loss: loss) }
        let layers = [
            SizeBudget.Layer(name: "a", weights: 100, options: [option(.q2_k, 300, 9), option(.q4_k, 450, 3), option(.q6_k, 660, 1)]),
            SizeBudget.Layer(name: "b", weights: 100, options: [option(.q2_k, 300, 2), option(.q4_k, 450, 1.5), option(.q6_k, 660, 1.4)]),
            SizeBudget.Layer(name: "c", weights: 200, options: [option(.q2_k, 600, 20), option(.q4_k, 900, 4), option(.q6_k, 1320, 0.5)]),
        ]
        let budget = SizeBudget(layers: layers)
        func cost(_ a: [String: GGMLBlockGrid]) -> (bits: Int, loss: Double) {
            layers.reduce((0, 0.0)) { acc, l in let o = l.options.first { $0.type == a[l.name] }!; return (acc.0 + o.bits, acc.1 + o.loss) }
        }
        for target in [3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.6, 8.0] {
            let a = try budget.allocate(targetBitsPerWeight: target)
            let (bits, loss) = cost(a)
            #expect(Double(bits) <= target * 400)
            // exhaustive optimum
            var best = Double.infinity
            for i in 0..<3 { for j in 0..<3 { for k in 0..<3 {
                let b = layers[0].options[i].bits + layers[1].options[j].bits + layers[2].options[k].bits
                if Double(b) <= target * 400 { best = min(best, layers[0].options[i].loss + layers[1].options[j].loss + layers[2].options[k].loss) }
            }}}
            #expect(loss <= best + 1e-9, "target \(target): \(loss) vs optimum \(best)")
        }
        #expect(try budget.allocate(targetBitsPerWeight: 3) == ["a": .q2_k, "b": .q2_k, "c": .q2_k])
        #expect(try budget.allocate(targetBitsPerWeight: 6.6) == ["a": .q6_k, "b": .q6_k, "c": .q6_k])
        #expect(throws: (any Error).self) { try budget.allocate(targetBitsPerWeight: 2.9) }
    }

    /// End to end on the tiny Qwen2 fixture (64 input columns: the K-quants fall back to Q4_0,
    /// Q5_0, Q5_1, Q8_0): the block linears land within one layer's step below the target, and
    /// a larger budget never measures a larger output error.
    @Test func targetBitsPerWeightOnATinyModel() throws {
        let calib = try CalibrationSet(tokens: SequentialQuantizationTests.randomTokens(4000, seed: 5), count: 8, length: 32, seed: 0)
        var bits: [Double] = []
        for target in [5.0, 6.0] {
            let model = try SequentialQuantizationTests.tinyModel()
            let recipe = QuantRecipe(spec: "q4_k_m", method: "imatrix", calibration: CalibrationSettings(samples: 8, length: 32),
                                     targetBitsPerWeight: target)
            let summary = try recipe.run(on: model, calibration: calib)
            #expect(summary.effectiveBits <= target && summary.effectiveBits > target - 1, "target \(target): \(summary.effectiveBits)")
            let types = Set(summary.layers.compactMap { $0.result.codes?.scheme.blockGrid })
            #expect(types.isSubset(of: [GGMLBlockGrid.q4_0, .q5_0, .q5_1, .q8_0]))
            bits.append(summary.effectiveBits)
        }
        #expect(bits[0] < bits[1])
    }
}
