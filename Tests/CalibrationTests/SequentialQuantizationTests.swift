import Foundation
import ModelFormats
import Models
import Quantization
import TensorCore
import Testing
@testable import Calibration

/// The sequential (block-by-block) pipeline on the tiny transformers Qwen2 checkpoint.
@Suite struct SequentialQuantizationTests {
    static func tinyModel() throws -> LlamaModel {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        let dir = try HFModelDirectory(path: url.path + "/Fixtures/models/tiny-qwen2")
        let config = try LlamaConfig(contentsOf: dir.configPath)
        return try LlamaModel(hyper: LlamaHyperparameters(config: config, file: dir.configPath),
                              weights: DirectWeights(try dir.openTensors()))
    }

    static func randomTokens(_ n: Int, seed: UInt64) -> [Int32] {
        var rng = SplitMix64(seed: seed)
        return (0..<n).map { _ in Int32(rng.next() % 160) }
    }

    static func logits(_ model: LlamaModel, _ windows: [[Int32]]) throws -> [Float] {
        var out: [Float] = []
        try model.forward(windows: windows, observer: nil) { _, rows, v in
            out.append(contentsOf: UnsafeBufferPointer(start: v, count: rows * model.vocabularySize))
        }
        return out
    }

    @Test func calibrationWindowsAreSeededAndInside() throws {
        let tokens = Self.randomTokens(1000, seed: 1)
        let a = try CalibrationSet(tokens: tokens, count: 5, length: 32, seed: 7)
        let b = try CalibrationSet(tokens: tokens, count: 5, length: 32, seed: 7)
        let c = try CalibrationSet(tokens: tokens, count: 5, length: 32, seed: 8)
        #expect(a.windows == b.windows && a.windows != c.windows)
        #expect(a.windows.allSatisfy { $0.count == 32 })
        #expect(throws: CalibrationSet.Failure.self) { try CalibrationSet(tokens: Array(tokens.prefix(10)), count: 1, length: 32) }
    }

    @Test func sharedInputsShareOneHessian() throws {
        let model = try Self.tinyModel()
        let capture = HessianCapture()
        let x = try model.embed(windows: [Self.randomTokens(16, seed: 2)])
        model.runBlock(0, hidden: x, windows: 1, tokens: 16, observer: capture)
        let h = capture.hessians()
        #expect(Set(h.keys) == Set(model.linears(ofBlock: 0).map(\.name)))
        let p = "model.layers.0."
        #expect(h[p + "self_attn.q_proj"]?.matrix === h[p + "self_attn.v_proj"]?.matrix)
        #expect(h[p + "mlp.gate_proj"]?.matrix === h[p + "mlp.up_proj"]?.matrix)
        #expect(h[p + "mlp.gate_proj"]?.matrix !== h[p + "self_attn.q_proj"]?.matrix)
        #expect(h[p + "mlp.down_proj"]?.size == 96)
    }

    /// GPTQ through the pipeline changes every linear exactly once and ends closer to the
    /// full-precision logits than RTN at the same 3-bit group-32 scheme, on held-out tokens.
    @Test func gptqBeatsRTNOnHeldOutTokens() throws {
        let scheme = try QuantSpec.parse("w3a16-g32-asym").weight
        let calib = try CalibrationSet(tokens: Self.randomTokens(4000, seed: 3), count: 16, length: 32, seed: 0)
        let heldOut = (0..<4).map { Self.randomTokens(32, seed: 100 + UInt64($0)) }
        let base = try Self.logits(try Self.tinyModel(), heldOut)

        func error(_ method: any WeightQuantizer, calibrate: Bool) throws -> (Double, QuantizationSummary, LlamaModel) {
            let model = try Self.tinyModel()
            let before = model.linearLayers.map(\.weight.array)
            let summary = try SequentialQuantization(method: method, scheme: scheme, needsCalibration: calibrate)
                .run(model: model, calibration: calibrate ? calib : nil)
            #expect(summary.layers.map(\.name) == model.linearLayers.map(\.name))  // each linear once, in order
            #expect(zip(before, model.linearLayers).allSatisfy { $0 != $1.weight.array })
            let q = try Self.logits(model, heldOut)
            return (zip(base, q).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }, summary, model)
        }
        let (rtn, rtnSummary, _) = try error(RTNQuantizer(), calibrate: false)
        let (gptq, gptqSummary, _) = try error(GPTQQuantizer(), calibrate: true)
        #expect(gptq < rtn, "GPTQ logit error \(gptq) vs RTN \(rtn)")
        // 3 bits + (16-bit scale + 16-bit zero) / 32 = 4 bits per weight on every layer
        #expect(abs(rtnSummary.effectiveBits - 4) < 1e-9 && abs(gptqSummary.effectiveBits - 4) < 1e-9)
    }

    /// W8A8: every quantized linear fake-quantizes its input; 8-bit activations move the logits a
    /// little but not nothing: per-token (one range per row) under 5% relative error; static
    /// per-tensor ranges (from calibration, even for RTN; held-out values beyond them are clipped)
    /// are coarser, under 15%.
    @Test(arguments: ["w8a8-row-sym-tok", "w8a8-row-sym-tensor-static"])
    func activationQuantization(_ specText: String) throws {
        let spec = try QuantSpec.parse(specText)
        let heldOut = (0..<2).map { Self.randomTokens(32, seed: 200 + UInt64($0)) }
        let base = try Self.logits(try Self.tinyModel(), heldOut)
        let model = try Self.tinyModel()
        let pipeline = SequentialQuantization(method: RTNQuantizer(), scheme: spec.weight, activation: spec.activation,
                                              needsCalibration: false)
        #expect(pipeline.needsCalibration == spec.activation.isStatic)
        let calib = try CalibrationSet(tokens: Self.randomTokens(2000, seed: 4), count: 8, length: 32)
        _ = try pipeline.run(model: model, calibration: pipeline.needsCalibration ? calib : nil)
        #expect(model.linearLayers.allSatisfy { $0.inputTransform != nil })
        let q = try Self.logits(model, heldOut)
        let num = zip(base, q).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
        let den = base.reduce(0.0) { $0 + Double($1 * $1) }
        let rel = (num / den).squareRoot()
        #expect(rel > 1e-5 && rel < (spec.activation.isStatic ? 0.15 : 0.05), "relative logit error \(rel)")
    }

    /// True-sequential (the default) reproduces its definition step by step on block 0: probe, quantize
    /// the attention inputs' layers, probe again (now through the quantized q/k/v) for o_proj, and so
    /// on; the result is bit-identical to doing those steps by hand, and o_proj differs from the
    /// one-probe variant (its inputs really came from the quantized layers).
    @Test func trueSequentialQuantizesEachInputGroupOnTheQuantizedGroupsBeforeIt() throws {
        let scheme = try QuantSpec.parse("w3a16-g32-asym").weight
        let calib = try CalibrationSet(tokens: Self.randomTokens(4000, seed: 5), count: 8, length: 32, seed: 0)
        let gptq = GPTQQuantizer()

        let automatic = try Self.tinyModel()
        _ = try SequentialQuantization(method: gptq, scheme: scheme, needsCalibration: true, trueSequential: true)
            .run(model: automatic, calibration: calib)
        let oneProbe = try Self.tinyModel()
        _ = try SequentialQuantization(method: gptq, scheme: scheme, needsCalibration: true, trueSequential: false)
            .run(model: oneProbe, calibration: calib)

        let manual = try Self.tinyModel()
        let hidden = try manual.embed(windows: calib.windows)
        let p = "model.layers.0."
        let groups = [["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"], ["self_attn.o_proj"],
                      ["mlp.gate_proj", "mlp.up_proj"], ["mlp.down_proj"]]
        let byName = Dictionary(uniqueKeysWithValues: manual.linears(ofBlock: 0).map { ($0.name, $0) })
        for group in groups {
            let capture = HessianCapture()
            let probe = hidden.copied()
            manual.runBlock(0, hidden: probe, windows: calib.windows.count, tokens: 32, observer: capture)
            let hessians = capture.hessians()
            for name in group {
                let linear = try #require(byName[p + name])
                linear.weight = try gptq.quantize(weight: linear.weight, hessian: hessians[p + name], scheme: scheme).dequantized
            }
        }
        let auto = Dictionary(uniqueKeysWithValues: automatic.linears(ofBlock: 0).map { ($0.name, $0.weight.array) })
        let single = Dictionary(uniqueKeysWithValues: oneProbe.linears(ofBlock: 0).map { ($0.name, $0.weight.array) })
        for (name, linear) in byName {
            #expect(auto[name] == linear.weight.array, "\(name): true-sequential differs from its step-by-step definition")
        }
        // Group 0 sees the same inputs either way; o_proj (group 1) and later groups do not.
        #expect(single[p + "self_attn.q_proj"] == auto[p + "self_attn.q_proj"])
        #expect(single[p + "self_attn.o_proj"] != auto[p + "self_attn.o_proj"])
        #expect(single[p + "mlp.down_proj"] != auto[p + "mlp.down_proj"])
    }

    /// The one-run observer quantizes a layer before it computes (the forward reads the new weight),
    /// shares one Hessian per input group, and refuses a layer fed a second time instead of
    /// quantizing it again on part of the rows.
    @Test func quantizeOnFirstInputQuantizesBeforeTheLayerComputes() throws {
        let model = try Self.tinyModel()
        let linears = model.linears(ofBlock: 0)
        let q = try #require(linears.first { $0.name.hasSuffix("q_proj") })
        let k = try #require(linears.first { $0.name.hasSuffix("k_proj") })
        var seen: [String: ObjectIdentifier] = [:]
        let observer = QuantizeOnFirstInput(linears: linears, computeHessians: true, computeRanges: false) { linear, hessian, _ in
            let h = try #require(hessian)
            seen[linear.name] = ObjectIdentifier(h.matrix)
            let zero = Tensor(zeros: linear.weight.shape)
            linear.weight = zero
            return .init(name: linear.name, result: .fullPrecision(zero))
        }
        let rows = 3, x = Tensor(shape: [rows, q.inFeatures], values: (0..<(rows * q.inFeatures)).map { Float($0 % 7) - 3 })
        let out = Tensor(zeros: [rows, q.outFeatures]), outK = Tensor(zeros: [rows, k.outFeatures])
        q.forward(x.pointer, rows: rows, into: out.pointer, observer: observer)
        k.forward(x.pointer, rows: rows, into: outK.pointer, observer: observer)
        #expect(observer.failure == nil)
        let bias = q.bias?.array ?? [Float](repeating: 0, count: q.outFeatures)
        #expect(out.array == Array((0..<rows).map { _ in bias }.joined()), "q computed with its old weights")
        #expect(seen[q.name] != nil && seen[q.name] == seen[k.name], "q and k share one input, so one Hessian")
        q.forward(x.pointer, rows: rows, into: out.pointer, observer: observer)
        let failure = try #require(observer.failure)
        #expect("\(failure)".contains(q.name) && "\(failure)".contains("twice"))
    }

    /// Every family's block splits into its four input groups (attention in, attention out, MLP in,
    /// MLP out; fused or not; GPT-NeoX's parallel residual feeds the MLP before the attention output),
    /// and true-sequential quantizes every linear exactly once, listed in block order.
    @Test(arguments: ["tiny-qwen2", "tiny-gemma3", "tiny-opt", "tiny-bloom", "tiny-gpt2", "tiny-gpt-neox",
                      "tiny-gpt-neox-sequential"])
    func everyFamilyHasFourInputGroups(_ fixture: String) throws {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        let path = url.path + "/Fixtures/models/" + fixture + (fixture == "tiny-gemma3" ? "/model.gguf" : "")
        // tiny-qwen2 has no tokenizer.json, which ModelLoader requires: built directly.
        let model: any BlockwiseLanguageModel = fixture == "tiny-qwen2" ? try Self.tinyModel() : try ModelLoader.load(path: path).model
        func tokens(_ n: Int, seed: UInt64) -> [Int32] { Self.randomTokens(n, seed: seed).map { $0 % Int32(min(model.vocabularySize, 160)) } }
        let windows = (0..<2).map { tokens(16, seed: 300 + UInt64($0)) }
        let capture = HessianCapture()
        model.runBlock(0, hidden: try model.embed(windows: windows), windows: 2, tokens: 16, observer: capture)
        let groups = model.linears(ofBlock: 0).map { capture.group(of: $0.name) }
        #expect(groups.count == 4 || groups.count == 7 || groups.count == 6, "\(fixture): \(groups.count) linears")
        #expect(Set(groups.compactMap { $0 }) == [0, 1, 2, 3], "\(fixture): groups \(groups)")

        let calib = try CalibrationSet(tokens: tokens(2000, seed: 6), count: 4, length: 16, seed: 0)
        let summary = try SequentialQuantization(method: GPTQQuantizer(), scheme: try QuantSpec.parse("w4a16-row-asym").weight,
                                                 needsCalibration: true).run(model: model, calibration: calib)
        #expect(summary.layers.map(\.name) == (0..<model.blockCount).flatMap { model.linears(ofBlock: $0).map(\.name) })
    }
}
