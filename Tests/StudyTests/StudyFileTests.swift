import Foundation
import Testing
@testable import Study

@Suite("Study files (YAML)")
struct StudyFileTests {
    static let example = """
        name: example
        models: [smollm2-135m]
        methods: [rtn, {name: gptq, act_order: true}]
        schemes:
          - {bits: "2..4", granularity: ["g32..g128", row], symmetry: [asym, sym]}
          - {spec: [w8a8-row-sym-tok, w4a16-g128-asym], methods: [rtn]}
        calibration: {corpus: news, samples: 16, length: 256}
        seeds: [0, 1]
        evaluation:
          context: 256
          perplexity: {corpora: [wiki, books], max_windows: 4}
          zero_shot: {tasks: [piqa], limit: 50, subset_seed: 3}
          kl: {corpora: [wiki]}
        """

    @Test func parsesEveryField() throws {
        let s = try StudyFile.parse(Self.example, source: "example.yaml")
        #expect(s.name == "example")
        #expect(s.models.values == ["smollm2-135m"])
        #expect(s.methods?.values.map(\.name) == ["rtn", "gptq"])
        #expect(s.methods?.values[1].actOrder == true)
        #expect(s.schemes[0].bits?.values == [2, 3, 4])
        #expect(s.schemes[0].granularity?.values == ["g32", "g64", "g128", "row"])
        #expect(s.schemes[1].spec?.values == ["w8a8-row-sym-tok", "w4a16-g128-asym"])
        #expect(s.schemes[1].methods?.values.map(\.name) == ["rtn"])
        #expect(s.calibration?.samples == 16)
        #expect(s.seeds?.values == [0, 1])
        #expect(s.evaluation.zeroShot?.subsetSeed == 3)
        #expect(s.evaluation.kl?.corpora.values == ["wiki"])
    }

    @Test func descendingRangeAndScalars() throws {
        let s = try StudyFile.parse("""
            name: r
            models: smollm2-135m
            methods: gptq
            schemes: [{bits: "8..6", granularity: 64}]
            evaluation: {perplexity: {corpora: wiki}}
            """, source: "r.yaml")
        #expect(s.schemes[0].bits?.values == [8, 7, 6])
        #expect(s.schemes[0].granularity?.values == ["g64"])
        #expect(s.models.values == ["smollm2-135m"])
        #expect(s.methods?.values.map(\.name) == ["gptq"])
    }

    /// Each malformed file is refused with the file name and the field at fault.
    @Test(arguments: [
        ("name: x\nmodels: [m]\nmethods: [rtn]\nschemes: [{bits: 4}]\nevaluaton: {}\n", "evaluaton: unknown field"),
        ("name: x\nmodels: [m]\nmethods: [rtn]\nschemes: [{bits: 4, group: 32}]\nevaluation: {perplexity: {corpora: [wiki]}}\n",
         "schemes.*.group: unknown field"),
        ("name: x\nmodels: [m]\nmethods: [rtn]\nschemes: [{bits: \"4..x\"}]\nevaluation: {perplexity: {corpora: [wiki]}}\n",
         "schemes[0].bits"),
        ("name: x\nmodels: [m]\nmethods: [rtn]\nschemes: [{bits: 4}]\n", "missing field 'evaluation'"),
        ("name: x\nmodels: [m]\nmethods: [rtn]\nschemes: [{bits: 4, granularity: g0..g2}]\nevaluation: {perplexity: {corpora: [wiki]}}\n",
         "schemes[0].granularity"),
        ("- just\n- a list\n", "expected a mapping"),
        ("name: [unclosed\n", "not valid YAML"),
    ])
    func malformedFilesNameTheField(text: String, expected: String) {
        do {
            _ = try StudyFile.parse(text, source: "bad.yaml")
            Issue.record("parsed a malformed study: \(text)")
        } catch {
            let message = "\(error)"
            #expect(message.hasPrefix("bad.yaml: "), "\(message)")
            #expect(message.contains(expected), "\(message)")
        }
    }

    @Test func bundledStudiesParse() throws {
        #expect(BundledStudies.names.contains("quick"))
        for name in BundledStudies.names {
            let path = try #require(BundledStudies.path(named: name))
            let study = try StudyFile.load(path: path)
            #expect(study.name == name, "bundled \(name).yaml declares name \(study.name)")
            let grid = try StudyGrid.expand(study, source: path, fingerprint: { "named:\($0)" }, shape: { _ in nil })
            #expect(grid.experiments.count > 1)
            if name.hasPrefix("paper") {   // the study's five methods, ZeroQuant-Global included
                let methods = Set(grid.experiments.compactMap { $0.recipe?.method })
                #expect(methods.isSuperset(of: ["rtn", "gptq", "zq-local", "zq-global", "awq", "smoothquant"]), "\(name): \(methods)")
                #expect(grid.experiments.contains { $0.recipe?.lorcRank != nil }, "\(name) has no LoRC recipe")
                // The peers' methods composed with GPTQ, activation-only schemes, mixed precision.
                #expect(grid.experiments.contains { $0.recipe?.method == "gptq" && $0.recipe?.awq != nil }, "\(name) has no AWQ + GPTQ")
                #expect(grid.experiments.contains { $0.recipe.map { !((try? $0.parsedSpec())?.weight.isQuantized ?? true) } ?? false },
                        "\(name) has no activation-only scheme")
                #expect(grid.experiments.contains { $0.recipe?.overrides != nil }, "\(name) has no mixed-precision recipe")
            }
        }
    }
}
