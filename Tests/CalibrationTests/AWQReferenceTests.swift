import Foundation
import ModelFormats
import Models
import Quantization
import TensorCore
import Testing
@testable import Calibration

/// PTQLab's AWQ against mit-han-lab/llm-awq itself (its auto_scale_block / auto_clip_block run
/// unmodified on CPU by scripts/reference/awq_llm_awq_reference.sh; numbers in
/// Fixtures/reference/awq-llm-awq-tiny.json) on the tiny Llama, OPT and Qwen2 fixtures, 8 windows of
/// 64 random token ids, W4 and W3 g32 asymmetric with f32 scales (llm-awq's fake quantization keeps
/// its scales in f32):
/// - every input group's mean |x| (llm-awq's activation statistic) within 1e-5 relative (f32 sums
///   over 512 tokens in different orders),
/// - the same exponent α chosen for every group, and so the same scales (1e-5 relative),
/// - the clipping step chosen per row and group: at least 99% identical, at most 0.25% more than
///   one step apart (measured: 1470/1472 to 1531/1536 identical, 2 per configuration further apart;
///   the reference itself moves 3–6 of ~1,500 steps between its eager and sdpa attention: the
///   search's error is flat across steps for some groups, and float order decides such near-ties),
/// - the end-to-end cross-entropy of AWQ + RTN within 2e-3 nats of llm-awq's (the reference's own
///   eager-vs-sdpa spread is 1e-3), and plain RTN's within 1e-4 (same grid, no search).
@Suite struct AWQReferenceTests {
    struct Fixture: Decodable {
        struct Configuration: Decodable {
            struct Layer: Decodable {
                struct Scale: Decodable {
                    let prev_op: String
                    let layers: [String]
                    let x_mean_abs: [Double]
                    let scales: [Double]
                    let ratio: Double
                }
                struct Clip: Decodable {
                    let layer: String
                    let shrink_steps: [[Int]]
                }
                let index: Int
                let scales: [Scale]
                let clip: [Clip]
            }
            let name: String
            let model: String
            let w_bit: Int
            let q_group_size: Int
            let windows: [[Int32]]
            let layers: [Layer]
            let loss_fp: Double
            let loss_rtn: Double
            let loss_awq_rtn: Double
        }
        let configurations: [Configuration]
    }

    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    static let fixture: Fixture? = try? JSONDecoder().decode(
        Fixture.self, from: Data(contentsOf: root.appendingPathComponent("Fixtures/reference/awq-llm-awq-tiny.json")))

    static var names: [String] { fixture?.configurations.map(\.name) ?? [] }

    /// The fixture model at `path` (the Llama-family fixtures have no tokenizer.json, which
    /// `ModelLoader` requires).
    static func load(_ path: String) throws -> any ChannelScalableModel {
        if path.hasSuffix(".gguf") || FileManager.default.fileExists(atPath: path + "/tokenizer.json") {
            return try #require(try ModelLoader.load(path: path).model as? any ChannelScalableModel)
        }
        let dir = try HFModelDirectory(path: path)
        let config = try LlamaConfig(contentsOf: dir.configPath)
        return try LlamaModel(hyper: try LlamaHyperparameters(config: config, file: dir.configPath),
                              weights: DirectWeights(try dir.openTensors()))
    }

    /// Mean next-token cross-entropy over every position of every window (nats).
    static func loss(_ model: any CausalLanguageModel, _ windows: [[Int32]]) throws -> Double {
        var total = 0.0, count = 0
        let vocabulary = model.vocabularySize, length = windows[0].count
        try model.forward(windows: windows, observer: nil) { first, rows, logits in
            for i in 0..<rows {
                let (window, t) = ((first + i) / length, (first + i) % length)
                guard t < length - 1 else { continue }
                let row = logits + i * vocabulary
                var peak = -Float.infinity
                for v in 0..<vocabulary { peak = max(peak, row[v]) }
                var sum = 0.0
                for v in 0..<vocabulary { sum += exp(Double(row[v] - peak)) }
                total += log(sum) + Double(peak) - Double(row[Int(windows[window][t + 1])])
                count += 1
            }
        }
        return total / Double(count)
    }

    @Test func fixtureIsComplete() throws {
        let f = try #require(Self.fixture)
        #expect(f.configurations.count == 4)
        #expect(f.configurations.allSatisfy { !$0.layers.isEmpty && $0.windows.count == 8 })
    }

    @Test(arguments: names)
    func sameScalesClippingAndLossAsLLMAWQ(_ name: String) throws {
        let c = try #require(Self.fixture?.configurations.first { $0.name == name })
        let path = Self.root.appendingPathComponent(c.model).path
        let scheme = try QuantSpec.parse("w\(c.w_bit)a16-g\(c.q_group_size)-asym-f32scale").weight

        // Plain RTN: the same grid as llm-awq's pseudo_quantize_tensor.
        let plain = try Self.load(path)
        #expect(abs(try Self.loss(plain, c.windows) - c.loss_fp) < 1e-4, "\(name): full-precision loss")
        _ = try SequentialQuantization(method: RTNQuantizer(), scheme: scheme, needsCalibration: false).run(model: plain, calibration: nil)
        let rtn = try Self.loss(plain, c.windows)
        #expect(abs(rtn - c.loss_rtn) < 1e-4, "\(name): RTN loss \(rtn) vs llm-awq \(c.loss_rtn)")

        let model = try Self.load(path)
        var awq = ActivationAwareScaling(settings: AWQSettings(), scheme: scheme)
        awq.recordsClipSteps = true
        let result = try awq.run(model: model, windows: c.windows)
        let prefix = { (block: Int) in
            model.linears(ofBlock: block)[0].name.components(separatedBy: ".").prefix { Int($0) == nil }.joined(separator: ".") + ".\(block)."
        }
        var stepsCompared = 0, stepsEqual = 0, stepsFar = 0
        for layer in c.layers {
            let p = prefix(layer.index)
            for reference in layer.scales {
                let names = reference.layers.map { p + $0 }
                let ours = try #require(result.groups.first { $0.block == layer.index && $0.linears == names }, "\(name): no group \(names)")
                #expect(ours.ratio == reference.ratio, "\(name) \(names): α \(ours.ratio ?? -1) vs llm-awq \(reference.ratio)")
                let meanAbs = try #require(ours.meanAbsolute)
                let worstMean = zip(meanAbs, reference.x_mean_abs).map { abs(Double($0) - $1) / max(abs($1), 1e-12) }.max() ?? 0
                #expect(worstMean < 1e-5, "\(name) \(names): mean |x| differs by \(worstMean) relative")
                if let scales = ours.scales, ours.ratio == reference.ratio {
                    let worst = zip(scales, reference.scales).map { abs(Double($0) - $1) / abs($1) }.max() ?? 0
                    #expect(worst < 1e-5, "\(name) \(names): scales differ by \(worst) relative")
                }
            }
            // Groups llm-awq does not scale are not scaled here either.
            let scaledHere = result.groups.filter { $0.block == layer.index && $0.ratio != nil }.count
            #expect(scaledHere == layer.scales.count, "\(name) block \(layer.index): \(scaledHere) groups scaled, llm-awq \(layer.scales.count)")
            for clip in layer.clip {
                let steps = try #require(result.clipSteps[p + clip.layer], "\(name): \(clip.layer) not clipped")
                let reference = clip.shrink_steps.flatMap { $0 }
                try #require(steps.count == reference.count)
                stepsCompared += steps.count
                stepsEqual += zip(steps, reference).filter { $0 == $1 }.count
                stepsFar += zip(steps, reference).filter { abs($0 - $1) > 1 }.count
            }
            let clippedHere = result.clipSteps.keys.filter { $0.hasPrefix(p) }.count
            #expect(clippedHere == layer.clip.count, "\(name) block \(layer.index): \(clippedHere) linears clipped, llm-awq \(layer.clip.count)")
        }
        #expect(Double(stepsEqual) >= 0.99 * Double(stepsCompared) && Double(stepsFar) <= 0.0025 * Double(stepsCompared),
                "\(name): \(stepsEqual) of \(stepsCompared) clipping steps equal, \(stepsFar) more than one step apart")

        // The end-to-end result:
        _ = try SequentialQuantization(method: RTNQuantizer(), scheme: scheme, needsCalibration: false).run(model: model, calibration: nil)
        let awqLoss = try Self.loss(model, c.windows)
        #expect(abs(awqLoss - c.loss_awq_rtn) < 2e-3, "\(name): AWQ + RTN loss \(awqLoss) vs llm-awq \(c.loss_awq_rtn)")
    }
}
