import Foundation
import Models
import Quantization
import TensorCore
import Testing
@testable import Calibration

/// PTQLab's SmoothQuant against mit-han-lab/smoothquant itself (get_act_scales, smooth_lm and
/// fake_quant run unmodified on CPU by scripts/reference/smoothquant_reference.sh; numbers in
/// Fixtures/reference/smoothquant-tiny.json) on the tiny Llama, OPT and BLOOM fixtures, 8 windows
/// of 64 random token ids, α 0.5 and 0.85:
/// - every smoothed group (the same norms, the same linears): max|X_j| within 1e-5 relative (the
///   same maximum of activations that f32 forward passes in different summation orders produce),
///   max|W_j| to 1e-7 (the same weights), the scales s_j and the smoothed norm weights and biases
///   within 1e-5 relative (measured: scales at most 7.3e-7 apart);
/// - W8A8 with the reference's fake quantization (weights per row, activations per token or per
///   tensor, dynamic, symmetric absmax/127 with f32 scales: `w8a8-row-sym-{tok,tensor}-f32scale-narrow`),
///   unsmoothed and smoothed: the end-to-end cross-entropy within 1e-3 nats of the reference's
///   (measured: at most 4.4e-4 apart, tiny-llama per tensor at α 0.85; the six W8A8 configurations
///   of tiny-llama spread over 1.4e-2 nats; BLOOM's driver wraps BloomBlock's linears in the
///   reference's W8A8Linear itself, the reference has no quantize_bloom).
@Suite struct SmoothQuantReferenceTests {
    struct Fixture: Decodable {
        struct Configuration: Decodable {
            struct Smoothing: Decodable {
                struct Group: Decodable {
                    let norm: String
                    let linears: [String]
                    let act_scales: [Double]
                    let weight_scales: [Double]
                    let scales: [Double]
                    let norm_weight: [Double]
                    let norm_bias: [Double]?
                }
                let alpha: Double
                let groups: [Group]
            }
            struct W8A8: Decodable {
                let smoothed_alpha: Double?
                let act_quant: String
                let loss: Double
            }
            let name: String
            let model: String
            let windows: [[Int32]]
            let smoothing: [Smoothing]
            let loss_fp: Double
            let w8a8: [W8A8]
        }
        let configurations: [Configuration]
    }

    static let fixture: Fixture? = try? JSONDecoder().decode(
        Fixture.self, from: Data(contentsOf: AWQReferenceTests.root.appendingPathComponent("Fixtures/reference/smoothquant-tiny.json")))

    static var names: [String] { fixture?.configurations.map(\.name) ?? [] }

    static func worstRelative(_ ours: [Float], _ reference: [Double]) -> Double {
        zip(ours, reference).map { abs(Double($0) - $1) / max(abs($1), 1e-12) }.max() ?? .infinity
    }

    /// The loss with each window's activations ranged alone (the reference runs one window per forward).
    static func loss(_ model: any CausalLanguageModel, _ windows: [[Int32]]) throws -> Double {
        try SequenceRows.withWindows(windows.count, tokens: windows[0].count) { try AWQReferenceTests.loss(model, windows) }
    }

    @Test func fixtureIsComplete() throws {
        let f = try #require(Self.fixture)
        #expect(f.configurations.map(\.name).sorted() == ["tiny-bloom", "tiny-llama", "tiny-opt"])
        #expect(f.configurations.allSatisfy { $0.smoothing.count == 2 && $0.smoothing.allSatisfy { $0.groups.count == 4 } && $0.w8a8.count == 6 })
    }

    @Test(arguments: names)
    func sameScalesAsSmoothQuant(_ name: String) throws {
        let c = try #require(Self.fixture?.configurations.first { $0.name == name })
        let path = AWQReferenceTests.root.appendingPathComponent(c.model).path
        for smoothing in c.smoothing {
            let model = try AWQReferenceTests.load(path)
            let result = try SmoothQuantScaling(settings: SmoothQuantSettings(alpha: smoothing.alpha)).run(model: model, windows: c.windows)
            #expect(result.groups.map(\.source) == smoothing.groups.map(\.norm), "\(name) α \(smoothing.alpha): smoothed norms")
            for (ours, reference) in zip(result.groups, smoothing.groups) {
                let label = "\(name) α \(smoothing.alpha) \(reference.norm)"
                #expect(ours.linears == reference.linears, "\(label): linears")
                #expect(Self.worstRelative(ours.activationMax, reference.act_scales) < 1e-5, "\(label): max|X|")
                #expect(Self.worstRelative(ours.weightMax, reference.weight_scales) < 1e-7, "\(label): max|W|")
                #expect(Self.worstRelative(ours.scales, reference.scales) < 1e-5, "\(label): scales")
                let weight = try #require(result.changedTensors.first { $0.name == reference.norm + ".weight" }?.tensor)
                #expect(Self.worstRelative(weight.array, reference.norm_weight) < 1e-5, "\(label): smoothed norm weight")
                if let bias = reference.norm_bias {
                    let ours = try #require(result.changedTensors.first { $0.name == reference.norm + ".bias" }?.tensor)
                    #expect(Self.worstRelative(ours.array, bias) < 1e-5, "\(label): smoothed norm bias")
                }
            }
            // Smoothing keeps the function.
            #expect(abs(try AWQReferenceTests.loss(model, c.windows) - c.loss_fp) < 1e-4, "\(name) α \(smoothing.alpha): smoothed float loss")
        }
    }

    @Test(arguments: names)
    func sameW8A8LossAsSmoothQuant(_ name: String) throws {
        let c = try #require(Self.fixture?.configurations.first { $0.name == name })
        let path = AWQReferenceTests.root.appendingPathComponent(c.model).path
        let calibration = try CalibrationSet(windows: c.windows)
        for run in c.w8a8 {
            let spec = "w8a8-row-sym-\(run.act_quant == "per_token" ? "tok" : "tensor")-f32scale-narrow"
            let recipe = QuantRecipe(spec: spec, method: run.smoothed_alpha == nil ? "rtn" : "smoothquant",
                                     calibration: CalibrationSettings(samples: c.windows.count, length: c.windows[0].count),
                                     smoothQuant: run.smoothed_alpha.map { SmoothQuantSettings(alpha: $0) })
            let model = try AWQReferenceTests.load(path)
            _ = try recipe.run(on: model, calibration: calibration)
            let loss = try Self.loss(model, c.windows)
            #expect(abs(loss - run.loss) < 1e-3, "\(name) \(recipe.methodLabel) \(spec): loss \(loss) vs smoothquant \(run.loss)")
        }
    }
}
