import Calibration
import Evaluation
import Experiment
import Foundation
import Quantization
import Testing

enum ReferenceAssets {
    static var smolLM2Installed: Bool { (try? AssetLocator().model(nil)) != nil }
}

/// PTQLab's GPTQ against the IST-DASLab reference itself (gptq.py / quant.py, run on CPU by
/// scripts/reference/gptq_ist_reference.sh; its numbers are committed in
/// Fixtures/reference/gptq-ist-smollm2.json): SmolLM2-135M, 512-token calibration windows of the
/// news calibration part (seed 0; 128 windows, or the first `samples` of them, the same token ids
/// on both sides), perplexity of the reference's quantized model on the news held-out part at
/// context 512, measured by PTQLab's own evaluator. PTQLab quantizes with f32 scales
/// (`-f32scale`), as the reference's fake quantization keeps them: like for like. Our result must
/// not be worse than the reference's by more than 3% (the issue's bound: GPTQ at 3 bits moves by
/// several percent with the calibration sample alone, and float summation orders differ), nor
/// better by more than 10% (that would point at an evaluation difference, not a better GPTQ).
/// Measured (f32 scales, AMD EPYC Zen 4): W3 g128 80.826 vs reference 84.153 (−4.0%); W4 per-row
/// 43.369 vs 43.566 (−0.45%); W4 per-row with act-order 37.493 vs 37.622 (−0.3%); W3 g128 on the
/// first 16 windows (the CI configuration) 93.383 vs 95.731 (−2.5%). With the default f16 scales
/// (what `ptqlab quantize` stores) W3 g128 gave 81.385 (−3.3%), W4 per-row 44.952 (+3.2%, over
/// the bound: rounding the scales to f16 changes GPTQ's error feedback from the first column on,
/// and at 4 bits per row that cascade moves perplexity by ~3.5%), act-order 37.411 (−0.6%). The
/// quantized weights themselves (scripts/reference/compare_quantized_weights.py) agree code for
/// code on 99.8% of the first 64 columns GPTQ processes in block 0 and drift apart along the
/// processing order (93.5% by columns 448–511), the signature of float rounding differences
/// cascading through GPTQ's error feedback, not of a different algorithm (a different grid or
/// update would disagree from the first column).
///
/// CI runs the configurations marked `"ci": true` (W3 g128 on 16 windows, a few minutes);
/// `PTQLAB_LONG_TESTS=1` runs all (15–45 minutes each on 2 cores).
@Suite(.enabled(if: ReferenceAssets.smolLM2Installed, "SmolLM2-135M not installed: run `make setup`"))
struct ReferenceGPTQTests {
    struct Fixture: Decodable {
        struct Configuration: Decodable {
            let name: String
            let wbits: Int
            let groupsize: Int
            let sym: Bool
            let act_order: Bool
            let static_groups: Bool
            let true_sequential: Bool
            let percdamp: Double
            let ptqlab_ppl: Double
            /// Calibration windows (nil: all 128).
            let samples: Int?
            let ci: Bool?
        }
        let configurations: [Configuration]
    }

    static let fixture: Fixture? = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        let path = url.appendingPathComponent("Fixtures/reference/gptq-ist-smollm2.json")
        return try? JSONDecoder().decode(Fixture.self, from: Data(contentsOf: path))
    }()

    static var selected: [String] {
        let all = ProcessInfo.processInfo.environment["PTQLAB_LONG_TESTS"] == "1"
        return (fixture?.configurations ?? []).filter { all || $0.ci == true }.map(\.name)
    }

    /// The spec text of a reference configuration (sym: the reference's full grid, our default;
    /// f32 scales, as the reference's fake quantization).
    static func spec(_ c: Fixture.Configuration) -> String {
        "w\(c.wbits)a16-\(c.groupsize > 0 ? "g\(c.groupsize)" : "row")-\(c.sym ? "sym" : "asym")-f32scale"
    }

    @Test func fixtureIsComplete() throws {
        let f = try #require(Self.fixture)
        #expect(!f.configurations.isEmpty)
        
        #expect(f.configurations.allSatisfy { $0.ptqlab_ppl.isFinite && $0.ptqlab_ppl > 1 })
    }

    @Test(arguments: selected)
    func notWorseThanTheReferenceByThreePercent(_ name: String) throws {
        let c = try #require(Self.fixture?.configurations.first { $0.name == name })
        let session = try ModelSession(name: try AssetLocator().model(nil))
        let recipe = QuantRecipe(spec: Self.spec(c), method: "gptq", actOrder: c.act_order,
                                 calibration: CalibrationSettings(corpus: "news", samples: c.samples ?? 128, length: 512, seed: 0,
                                                                  trueSequential: c.true_sequential),
                                 staticGroups: c.static_groups, damping: c.percdamp)
        let pipeline = ExperimentPipeline(session: session, options: RunOptions(showProgress: false))
        _ = try pipeline.quantize(recipe)
        let (metrics, _) = try pipeline.measure(EvaluationPlan(context: 512, corpora: ["news"]), quantized: true)
        let ours = try #require(metrics.perplexity["news"]?.perplexity)
        let relative = (ours - c.ptqlab_ppl) / c.ptqlab_ppl
        #expect(relative <= 0.03 && relative >= -0.10, "\(name): PTQLab \(ours) vs reference \(c.ptqlab_ppl) (\(relative * 100)%)")
    }
}
