import Distillation
import Calibration
import Experiment
import Foundation
import Testing
@testable import Study

@Suite("Study grid: expansion, identities, rejections, shards")
struct StudyGridTests {
    /// SmolLM2-135M's linear shapes (narrowest input 576, smallest dimension 192: k/v have 3 × 64 rows).
    static let smolShape = ModelShape(architecture: "llama", minInFeatures: 576, minDimension: 192,
                                      blockWeightStorage: ["Q4_1"])

    static func grid(_ yaml: String, shape: ModelShape? = smolShape) throws -> StudyGrid {
        try StudyGrid.expand(try StudyFile.parse(yaml, source: "t.yaml"), source: "t.yaml",
                             fingerprint: { "named:\($0)" }, shape: { _ in shape })
    }

    static let basic = """
        name: t
        models: [a, b]
        methods: [rtn, gptq]
        schemes:
          - {bits: [4, 3], granularity: [row, g128]}
          - {spec: w8a8-row-sym-tok, methods: [rtn]}
        seeds: [0, 1]
        evaluation: {context: 128, perplexity: {corpora: [wiki], max_windows: 2}, kl: {corpora: [wiki]}}
        """

    @Test func expandsTheProductWithBaseFirstAndSeedsOnlyWhereTheyMatter() throws {
        let g = try Self.grid(Self.basic)
        // Per model: base + 4 specs × RTN (seed-free: once) + 4 specs × GPTQ × 2 seeds + 1 W8A8 RTN = 14.
        #expect(g.experiments.count == 28)
        #expect(g.rejected.isEmpty)
        for model in ["a", "b"] {
            let rows = g.experiments.filter { $0.model == model }
            #expect(rows.first?.isBase == true)
            #expect(rows.filter { $0.recipe?.method == "rtn" }.count == 5)
            #expect(rows.filter { $0.recipe?.method == "gptq" }.count == 8)
            #expect(Set(rows.compactMap { $0.recipe?.calibration?.seed }) == [0, 1])
            // Uncalibrated experiments run before calibrated ones; calibrated ones are grouped by seed.
            let kinds = rows.dropFirst().map { $0.recipe?.calibration.map { "seed\($0.seed)" } ?? "none" }
            #expect(kinds == Array(repeating: "none", count: 5) + Array(repeating: "seed0", count: 4) + Array(repeating: "seed1", count: 4))
        }
        // The base row carries the whole plan (KL included): it is the reference of every row with its plan id.
        #expect(g.experiments[0].evaluation.klCorpora == ["wiki"])
        #expect(Set(g.experiments.filter { $0.model == g.experiments[0].model }.map(\.planID)).count == 1)
        #expect(Set(g.experiments.map(\.id)).count == g.experiments.count)
    }

    /// The identity is a pure function of the configuration: this value must not change unless
    /// something that changes results changes (then bump `ExperimentConfig.protocolVersion`).
    @Test func identityIsStable() throws {
        let plan = EvaluationPlan(context: 512, corpora: ["wiki"], maxWindows: 8)
        let base = ExperimentConfig(model: "smollm2-135m", modelFingerprint: "named:smollm2-135m", recipe: nil, evaluation: plan)
        #expect(base.canonicalJSON == #"{"evaluation":{"context":512,"corpora":["wiki"],"klCorpora":[],"maxWindows":8,"subsetSeed":0,"zeroShotTasks":[]},"model":"smollm2-135m","modelFingerprint":"named:smollm2-135m","protocolVersion":2}"#)
        #expect(base.id == "2d66c9d156e42bc3")
        #expect(base.id.count == 16)
    }

    @Test func identityChangesWithWhatAffectsResultsOnly() throws {
        let ids = Set(try Self.grid(Self.basic).experiments.map(\.id))
        // Same study, schemes and methods listed in another order: same experiments.
        let reordered = try Self.grid("""
            name: t
            models: [b, a]
            methods: [gptq, rtn]
            schemes:
              - {spec: w8a8-row-sym-tok, methods: [rtn]}
              - {bits: [3, 4], granularity: [g128, row]}
            seeds: [1, 0]
            evaluation: {context: 128, perplexity: {corpora: [wiki], max_windows: 2}, kl: {corpora: [wiki]}}
            """)
        #expect(Set(reordered.experiments.map(\.id)) == ids)
        // One more window: every experiment is a different one.
        let moreWindows = try Self.grid(Self.basic.replacingOccurrences(of: "max_windows: 2", with: "max_windows: 3"))
        #expect(Set(moreWindows.experiments.map(\.id)).isDisjoint(with: ids))
        // Another calibration corpus: only the calibrated experiments change.
        let news = try Self.grid(Self.basic + "\ncalibration: {corpus: news}\n")
        let changed = news.experiments.filter { !ids.contains($0.id) }
        #expect(changed.count == 16)
        #expect(changed.allSatisfy { $0.recipe?.method == "gptq" })
        // Another model file under the same name: a different experiment.
        let a = try StudyGrid.expand(try StudyFile.parse(Self.basic, source: "t"), source: "t",
                                     fingerprint: { "file:\($0):0123" }, shape: { _ in nil })
        #expect(Set(a.experiments.map(\.id)).isDisjoint(with: ids))
    }

    @Test func impossibleCombinationsAreRejectedWithReasons() throws {
        let g = try Self.grid("""
            name: t
            models: [m]
            methods: [rtn, {name: rtn, act_order: true}, {name: gptq, mse_clip: true}, {name: gptq, lorc: 256}, {name: gptq, lorc: 0}]
            schemes: [{bits: 4, granularity: [g128, g1024]}]
            evaluation: {perplexity: {corpora: [wiki]}}
            """)
        let reasons = g.rejected.map(\.description)
        #expect(reasons.contains { $0.contains("act-order is a GPTQ option") })
        #expect(reasons.contains { $0.contains("mse-clip is an RTN option") })
        #expect(reasons.contains { $0.contains("LoRC rank must be positive") })
        #expect(reasons.contains { $0.contains("group size 1024") && $0.contains("narrowest linear input") && $0.contains("576") })
        #expect(reasons.contains { $0.contains("LoRC rank 256") && $0.contains("(192)") })
        // What remains: base, RTN g128 (act_order and mse_clip variants rejected), nothing at g1024.
        #expect(g.experiments.count == 2)
        #expect(g.experiments.allSatisfy { $0.recipe?.spec != "w4a16-g1024-asym" })
    }

    @Test func nonSequentialCalibrationIsItsOwnExperimentAndRefusesStaticRanges() throws {
        let ids = Set(try Self.grid(Self.basic).experiments.map(\.id))
        let g = try Self.grid(Self.basic + "\ncalibration: {sequential: false}\n")
        let changed = g.experiments.filter { !ids.contains($0.id) }
        #expect(changed.count == 16 && changed.allSatisfy { $0.recipe?.calibration?.sequential == false })
        // `sequential: true` is the default and leaves identities alone.
        #expect(Set(try Self.grid(Self.basic + "\ncalibration: {sequential: true}\n").experiments.map(\.id)) == ids)
        let s = try Self.grid("""
            name: t
            models: [m]
            methods: [gptq]
            schemes: [{spec: [w8a8-row-sym-tensor-static, w8a8-row-sym-tok]}]
            calibration: {sequential: false}
            evaluation: {perplexity: {corpora: [wiki]}}
            """)
        #expect(s.rejected.count == 1 && s.rejected[0].reason.contains("static activation ranges need sequential calibration"))
        #expect(s.experiments.count == 2)
    }

    @Test(arguments: [
        ("methods: [smoothquant-x]", "methods[0]: unknown method 'smoothquant-x'"),
        ("methods: [rtn]\nschemes: [{bits: 9}]", "schemes[0]: 'w9a16-row-asym'"),
        ("methods: [rtn]\nschemes: [{bits: 4, symmetry: both}]", "schemes[0].symmetry: expected sym or asym"),
        ("methods: [rtn]\nschemes: [{spec: w4a16-row-asym, bits: 4}]", "give either spec or bits"),
        ("methods: [rtn]\nschemes: [{granularity: row}]", "missing field 'bits'"),
        ("schemes: [{bits: 4}]", "schemes[0]: no methods"),
    ])
    func malformedGridsNameTheField(head: String, expected: String) throws {
        var yaml = "name: t\nmodels: [m]\n" + head + "\n"
        if !head.contains("schemes") { yaml += "schemes: [{bits: 4}]\n" }
        yaml += "evaluation: {perplexity: {corpora: [wiki]}}\n"
        #expect(throws: StudyError.self) { try Self.grid(yaml) }
        do { _ = try Self.grid(yaml) } catch { #expect("\(error)".contains(expected), "\(error)") }
    }

    @Test(arguments: [
        ("evaluation: {perplexity: {corpora: [wikitext]}}", "unknown corpus 'wikitext'"),
        ("evaluation: {zero_shot: {tasks: [mmlu]}}", "unknown task 'mmlu'"),
        ("evaluation: {context: 512}", "nothing to measure"),
        ("evaluation: {perplexity: {corpora: [wiki], max_windows: 0}}", "max_windows: must be positive"),
        ("calibration: {corpus: wiki, samples: 0}\nevaluation: {perplexity: {corpora: [wiki]}}", "calibration.samples"),
    ])
    func badEvaluationsAreRefused(tail: String, expected: String) throws {
        let yaml = "name: t\nmodels: [m]\nmethods: [rtn]\nschemes: [{bits: 4}]\n" + tail + "\n"
        do {
            _ = try Self.grid(yaml)
            Issue.record("accepted \(tail)")
        } catch { #expect("\(error)".contains(expected), "\(error)") }
    }

    @Test func shardsPartitionTheGridDeterministically() throws {
        let g = try Self.grid(Self.basic)
        for n in [1, 2, 3, 7] {
            let shards = (0..<n).map { g.shard($0, of: n) }
            #expect(shards.flatMap { $0 }.map(\.id).sorted() == g.experiments.map(\.id).sorted())
            #expect(Set(shards.flatMap { $0 }.map(\.id)).count == g.experiments.count)
            #expect(shards.map(\.count).max()! - shards.map(\.count).min()! <= 1)
            #expect(shards.map { $0.map(\.id) } == (0..<n).map { g.shard($0, of: n).map(\.id) })
        }
    }

    /// `true_sequential: false` is its own experiment, labelled; on a recipe that does not calibrate
    /// it is refused with a reason, as is a symmetric spec's grid named twice; the symmetric grid is
    /// part of every symmetric recipe's identity.
    @Test func trueSequentialAndGridsAreOptionsOfTheirOwn() throws {
        let g = try Self.grid("""
            name: t
            models: [a]
            schemes:
              - {spec: [w3a16-g128-asym, w4a16-g128-sym, w4a16-g128-sym-narrow],
                 methods: [gptq, {name: gptq, true_sequential: false}, {name: rtn, true_sequential: false}, rtn]}
            evaluation: {perplexity: {corpora: [wiki]}}
            """)
        let gptq = g.experiments.filter { $0.recipe?.method == "gptq" }
        #expect(gptq.count == 6)
        #expect(Set(gptq.map(\.id)).count == 6)
        #expect(gptq.filter { $0.recipe?.methodLabel == "gptq+no-true-seq" }.count == 3)
        #expect(gptq.allSatisfy { $0.recipe?.calibration?.trueSequential != nil })
        #expect(g.rejected.count == 3 && g.rejected.allSatisfy { $0.reason.contains("true_sequential is a calibration option") })
        let rtn = g.experiments.filter { $0.recipe?.method == "rtn" }
        #expect(rtn.map { $0.recipe?.weightGrid } == [nil, "full", "narrow"])
        #expect(rtn.map { $0.recipe?.spec } == ["w3a16-g128-asym", "w4a16-g128-sym", "w4a16-g128-sym-narrow"])
    }

    /// ZeroQuant-Global's knobs come from the method entry, change the identity and the label, and
    /// are refused on other methods; zq-global with LoRC or one-probe calibration is rejected.
    @Test func zeroQuantGlobalKnobs() throws {
        let g = try Self.grid("""
            name: t
            models: [a]
            schemes:
              - {spec: [w3a16-g128-asym], methods: [zq-global, {name: zq-global, steps: 200, lr: 0.1, batch: 8, learn_scales: true, seed: 2},
                 {name: zq-global, steps: 25, logit_steps: 20, logit_lr: 0.01}, {name: zq-global, lorc: 8}, {name: zq-global, true_sequential: false}]}
            evaluation: {perplexity: {corpora: [wiki]}}
            """)
        let zq = g.experiments.filter { $0.recipe?.method == "zq-global" }
        #expect(zq.count == 3 && Set(zq.map(\.id)).count == 3)
        #expect(zq.map { $0.recipe?.methodLabel } == ["zq-global", "zq-global+steps200+lr0.1+batch8+learn-scales+seed2",
                                                      "zq-global+steps25+logit20+logit-lr0.01"])
        #expect(zq[2].recipe?.zqGlobal == ZeroQuantGlobalSettings(steps: 25, logitSteps: 20, logitLearningRate: 0.01))
        #expect(zq[1].recipe?.zqGlobal == ZeroQuantGlobalSettings(steps: 200, learningRate: 0.1, batch: 8, learnScales: true, seed: 2))
        #expect(zq.allSatisfy { $0.recipe?.calibration != nil })
        #expect(g.rejected.count == 2)
        #expect(g.rejected.contains { $0.reason.contains("LoRC on top of zq-global") })
        #expect(g.rejected.contains { $0.reason.contains("zq-global trains whole blocks") })
        #expect(throws: (any Error).self) {
            try Self.grid("""
                name: t
                models: [a]
                schemes: [{spec: [w3a16-g128-asym], methods: [{name: gptq, steps: 10}]}]
                evaluation: {perplexity: {corpora: [wiki]}}
                """)
        }
    }

    /// AWQ as a method (`awq`: AWQ then RTN) and composed (`awq: true`), with its knobs: labels and
    /// identities differ, calibration is attached, and misplaced knobs or compositions are refused.
    @Test func awqMethodsAndComposition() throws {
        let g = try Self.grid("""
            name: t
            models: [a]
            schemes:
              - {spec: [w3a16-g128-asym], methods: [awq, {name: awq, awq_grid: 10, awq_clip: false}, {name: gptq, awq: true},
                 {name: rtn, awq: true}, {name: zq-global, awq: true}]}
            evaluation: {perplexity: {corpora: [wiki]}}
            """)
        #expect(g.experiments.compactMap { $0.recipe?.methodLabel } == ["awq", "awq+grid10+no-clip", "gptq+awq", "rtn+awq"])
        #expect(Set(g.experiments.map(\.id)).count == g.experiments.count)
        #expect(g.experiments.allSatisfy { $0.recipe == nil || $0.recipe?.calibration != nil })
        #expect(g.experiments.first { $0.recipe?.methodLabel == "awq+grid10+no-clip" }?.recipe?.awq == AWQSettings(grid: 10, clip: false))
        #expect(g.rejected.count == 1 && g.rejected[0].reason.contains("AWQ before zq-global"))
        for bad in ["{name: gptq, awq_grid: 10}", "{name: awq, awq: true}"] {
            #expect(throws: (any Error).self) {
                try Self.grid("""
                    name: t
                    models: [a]
                    schemes: [{spec: [w3a16-g128-asym], methods: [\(bad)]}]
                    evaluation: {perplexity: {corpora: [wiki]}}
                    """)
            }
        }
    }

    @Test func smoothQuantMethodsAndComposition() throws {
        let g = try Self.grid("""
            name: t
            models: [a]
            schemes:
              - {spec: [w8a8-row-sym-tensor-static], methods: [smoothquant, {name: smoothquant, sq_alpha: 0.85}, {name: gptq, smoothquant: true},
                 {name: rtn, smoothquant: true}, {name: zq-global, smoothquant: true}, {name: awq, smoothquant: true}]}
            evaluation: {perplexity: {corpora: [wiki]}}
            """)
        #expect(g.experiments.compactMap { $0.recipe?.methodLabel } == ["smoothquant", "smoothquant+alpha0.85", "gptq+smoothquant", "rtn+smoothquant"])
        #expect(Set(g.experiments.map(\.id)).count == g.experiments.count)
        #expect(g.experiments.allSatisfy { $0.recipe == nil || $0.recipe?.calibration != nil })
        #expect(g.experiments.first { $0.recipe?.methodLabel == "smoothquant+alpha0.85" }?.recipe?.smoothQuant == SmoothQuantSettings(alpha: 0.85))
        #expect(g.rejected.count == 2)
        #expect(g.rejected.contains { $0.reason.contains("SmoothQuant before zq-global") })
        #expect(g.rejected.contains { $0.reason.contains("SmoothQuant and AWQ") })
        for bad in ["{name: gptq, sq_alpha: 0.8}", "{name: smoothquant, smoothquant: true}"] {
            #expect(throws: (any Error).self) {
                try Self.grid("""
                    name: t
                    models: [a]
                    schemes: [{spec: [w8a8-row-sym-tensor-static], methods: [\(bad)]}]
                    evaluation: {perplexity: {corpora: [wiki]}}
                    """)
            }
        }
    }

    @Test func overridesAndTokenTablesInYAML() throws {
        let g = try Self.grid("""
            name: t
            models: [a]
            schemes:
              - {spec: w4a16-g128-asym, methods: [rtn, gptq]}
              - spec: w4a16-g128-asym
                methods: [rtn]
                overrides: [{"*.down_proj": w8a16-row-asym}, {pattern: "*.{last}.*", spec: w16a16, method: rtn}]
                lm_head: w8a16-row-sym
              - {spec: [w16a8-tok, w16a4-tok], methods: [rtn]}
            evaluation: {perplexity: {corpora: [wiki]}}
            """)
        #expect(g.experiments.compactMap { $0.recipe?.methodLabel } == [
            "rtn", "rtn+mix[*.down_proj=w8a16-row-asym,*.{last}.*=w16a16:rtn]+head[w8a16-row-sym]", "rtn", "rtn", "gptq"])
        #expect(Set(g.experiments.map(\.id)).count == g.experiments.count)
        let mixed = try #require(g.experiments.first { $0.recipe?.overrides != nil }?.recipe)
        #expect(mixed.overrides?.count == 2 && mixed.head == "w8a16-row-sym" && mixed.embedding == nil)
        // A weight-bits budget sees the widest layer: the full-precision last block (16), not the spec's 4.
        #expect(StudyRunner.widestWeightBits(mixed) == 16)
        #expect(StudyRunner.widestWeightBits(QuantRecipe(spec: "w3a16-g128-asym", method: "rtn",
                                                         overrides: [LayerOverride(pattern: "*.down_proj", spec: "w4a16-g128-asym")])) == 4)
        for bad in ["overrides: [{\"*.down_proj\": w9a16-row-asym}]", "overrides: [{a: w8a16-row-asym, b: w8a16-row-asym}]",
                    "overrides: [{pattern: \"*.o_proj\", spec: w8a16-row-asym, method: awq}]", "embeding: w8a16-row-sym"] {
            #expect(throws: (any Error).self, "\(bad)") {
                try Self.grid("""
                    name: t
                    models: [a]
                    schemes:
                      - spec: w4a16-g128-asym
                        methods: [rtn]
                        \(bad)
                    evaluation: {perplexity: {corpora: [wiki]}}
                    """)
            }
        }
    }
}
