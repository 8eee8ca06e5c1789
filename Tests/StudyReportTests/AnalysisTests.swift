import Foundation
import Study
import Testing
@testable import StudyReport

@Suite struct AnalysisTests {
    static func smol() throws -> ModelAnalysis { ModelAnalysis(model: StudyFixtures.smol, records: try StudyFixtures.real()) }

    static func row(_ m: ModelAnalysis, _ recipe: String) -> AnalyzedRow? { m.rows.first { $0.recipe == recipe } }

    @Test func fixtureHasEveryRealRow() throws {
        let records = try StudyFixtures.real()
        #expect(records.count == 17)
        #expect(Set(records.map(\.id)).count == 17)
        #expect(records.allSatisfy { $0.study == "smollm2-quick" })
    }

    @Test func deltaAndClassOnHandCheckedRows() throws {
        let m = try Self.smol()
        #expect(m.basePerplexity == 27.237)
        let w8 = try #require(Self.row(m, "w8a16-row-asym rtn"))
        #expect(abs((w8.deltaPerplexity ?? 0) - 0.019) < 1e-9)
        #expect(w8.sensitivity == .class1)
        let w4g128 = try #require(Self.row(m, "w4a16-g128-asym rtn"))
        #expect(abs((w4g128.deltaPerplexity ?? 0) - 8.104) < 1e-9)
        #expect(abs((w4g128.relativeDeltaPerplexity ?? 0) - 8.104 / 27.237) < 1e-12)
        #expect(w4g128.sensitivity == .class3)
        let w8gptq = try #require(Self.row(m, "w8a16-row-asym gptq"))
        #expect(abs((w8gptq.deltaPerplexity ?? 0) - 0.089) < 1e-9 && w8gptq.sensitivity == .class1)
        let w8a8 = try #require(Self.row(m, "w8a8-row-sym-tok rtn"))
        #expect(abs((w8a8.deltaPerplexity ?? 0) - 0.790) < 1e-9 && w8a8.sensitivity == .class3)
        #expect(m.base?.sensitivity == nil)
    }

    @Test func classThresholdsAreInclusive() {
        #expect(SensitivityClass(deltaPerplexity: -0.3) == .class1)
        #expect(SensitivityClass(deltaPerplexity: 27.337 - 27.237) == .class1)
        #expect(SensitivityClass(deltaPerplexity: 0.1001) == .class2)
        #expect(SensitivityClass(deltaPerplexity: 0.5) == .class2)
        #expect(SensitivityClass(deltaPerplexity: 0.5001) == .class3)
    }

    @Test func rowWithoutPerplexityHasNoClass() throws {
        var records = try StudyFixtures.real()
        records[1].meanPerplexity = nil
        let m = ModelAnalysis(model: StudyFixtures.smol, records: records)
        let r = try #require(m.rows.first { $0.record.id == records[1].id })
        #expect(r.deltaPerplexity == nil && r.sensitivity == nil && !r.onBitsFrontier)
    }

    @Test func latestBaseIsTheReference() throws {
        let tiny = ModelAnalysis(model: StudyFixtures.tiny, records: try StudyFixtures.synthetic().filter { $0.model == StudyFixtures.tiny })
        #expect(tiny.basePerplexity == 150.0)
        #expect(tiny.rows.filter(\.record.isBase).count == 2)
        let g32 = try #require(Self.row(tiny, "w4a16-g32-asym rtn"))
        #expect(abs((g32.deltaPerplexity ?? 0) - 0.02) < 1e-9 && g32.sensitivity == .class1)
    }

    @Test func paretoFrontierOverBits() throws {
        let m = try Self.smol()
        let onFrontier = Set(m.rows.filter(\.onBitsFrontier).map(\.recipe))
        #expect(onFrontier == [
            "w3a16-row-asym gptq", "w3a16-g128-asym gptq", "w3a16-g128-asym gptq+lorc8", "w4a16-row-asym gptq",
            "w4a16-row-asym gptq+lorc8", "w8a8-row-sym-tok rtn", "w8a16-row-asym rtn", "base",
        ])
        // 4.271 bits at 35.341 is dominated by gptq+lorc8 at 4.255 bits and 33.646.
        #expect(Self.row(m, "w4a16-g128-asym rtn")?.onBitsFrontier == false)
        // Bytes are proportional to bits here: the same frontier.
        #expect(m.rows.allSatisfy { $0.onBitsFrontier == $0.onBytesFrontier })
    }

    @Test func paretoKeepsTiesAndDropsDominated() {
        let kept = ParetoFrontier.members(costs: [4, 4, 4, 3, 5], losses: [10, 10, 12, 20, 10])
        #expect(kept == [0, 1, 3])
    }

    @Test func recommendationsPerBudget() throws {
        let m = try Self.smol()
        let byBudget = Dictionary(uniqueKeysWithValues: m.recommendations.map { ($0.budget, $0.choice.label) })
        #expect(byBudget[.weightBits(3)] == "w3a16-g128-asym gptq+lorc8")
        #expect(byBudget[.weightBits(4)] == "w4a16-row-asym gptq+lorc8")
        #expect(byBudget[.weightBits(5)] == "w4a16-row-asym gptq+lorc8")
        // An 8-bit budget admits the 8-bit recipes whatever their scales add (8.047 effective bits).
        #expect(byBudget[.weightBits(8)] == "w8a16-row-asym rtn")
        // No parameter count in these legacy rows: no size budgets.
        #expect(m.recommendations.map(\.budget) == [.weightBits(3), .weightBits(4), .weightBits(5), .weightBits(8)])
    }

    @Test func recommendationPrefersTheSmallestRecipeWithinNoiseOfTheBest() throws {
        typealias S = SyntheticRows
        let rows = [S.row("base", method: "base", spec: nil, nll: S.windows(3.0), modelBytes: 300),
                    // w8 per-row: 8.05 effective bits, indistinguishable from the base.
                    S.row("w8", method: "rtn", spec: "w8a16-row-asym", nll: S.windows(3.0, phase: 1), effectiveBits: 8.05, modelBytes: 150),
                    // w5 g128: a hair worse than w8 on average, within noise (window by window ±0.002), and smaller.
                    S.row("w5", method: "rtn", spec: "w5a16-g128-asym",
                          nll: S.windows(3.0, phase: 1).enumerated().map { $1 + ($0 % 2 == 0 ? 0.002 : -0.0018) },
                          effectiveBits: 5.25, modelBytes: 110),
                    S.row("w4", method: "rtn", spec: "w4a16-g128-asym", nll: S.windows(3.4, phase: 2), effectiveBits: 4.25, modelBytes: 95)]
        let m = ModelAnalysis(model: "m", records: rows, budgets: [.weightBits(8), .weightBits(4), .megabytes(0.0001)])
        let eight = try #require(m.recommendations.first { $0.budget == .weightBits(8) })
        #expect(eight.best.record.id == "w8" && eight.choice.record.id == "w5")
        #expect(eight.alternatives.map(\.record.id) == ["w8"])
        #expect(eight.row.baseComparison == "no measurable loss")   // not a gain, even if its point estimate were lower
        let four = try #require(m.recommendations.first { $0.budget == .weightBits(4) })
        #expect(four.choice.record.id == "w4" && four.row.baseComparison == nil)
        // 100 bytes: only w4 (95) fits.
        #expect(m.recommendations.first { $0.budget == .megabytes(0.0001) }?.choice.record.id == "w4")
    }

    @Test func plansAreAnalysedSeparately() throws {
        typealias S = SyntheticRows
        let planA = [S.row("baseA", method: "base", spec: nil, nll: S.windows(3.0), plan: "A"),
                     S.row("rtnA", method: "rtn", spec: "w4a16-g128-asym", nll: S.windows(3.4), plan: "A")]
        let planB = [S.row("baseB", method: "base", spec: nil, nll: S.windows(2.5, count: 20), plan: "B"),
                     S.row("rtnB", method: "rtn", spec: "w4a16-g128-asym", nll: S.windows(2.9, count: 20), plan: "B")]
        // Through a results database, as a shared --db or a merge of two studies would hold them.
        let db = FileManager.default.temporaryDirectory.appendingPathComponent("ptqlab-plans-\(UUID().uuidString).db")
        defer { try? FileManager.default.removeItem(at: db) }
        let store = try ResultsStore(path: db.path)
        for r in planA + planB { try store.insert(r) }
        let a = StudyAnalysis(records: try store.records())
        #expect(a.models.count == 2 && a.modelNames == ["m"])
        #expect(a.models.map(\.planID) == ["A", "B"])
        let analysisA = a.models[0], analysisB = a.models[1]
        #expect(analysisA.base?.record.id == "baseA" && analysisB.base?.record.id == "baseB")
        #expect(analysisA.rows.map(\.record.id) == ["baseA", "rtnA"] && analysisB.rows.map(\.record.id) == ["baseB", "rtnB"])
        // Each row's ΔPPL is against its own plan's base.
        #expect(abs((analysisA.rows[1].deltaPerplexity ?? 0) - (exp(3.4) - exp(3.0))) < 0.5)
        #expect(abs((analysisB.rows[1].deltaPerplexity ?? 0) - (exp(2.9) - exp(2.5))) < 0.5)
        // No pooling across plans of one model.
        #expect(a.pooledVerdicts.isEmpty)
    }

    @Test func sensitivityPerMethod() throws {
        let m = try Self.smol()
        let rtn = try #require(m.sensitivity.first { $0.method == "rtn" })
        // Only W8 per-row RTN stays in Class-1 (ΔPPL 0.019); nothing else below it is Class-2.
        #expect(rtn.class1?.recipe == "w8a16-row-asym rtn" && rtn.class2?.recipe == "w8a16-row-asym rtn")
        let gptq = try #require(m.sensitivity.first { $0.method == "gptq" })
        #expect(gptq.class1?.recipe == "w8a16-row-asym gptq")
        #expect(m.sensitivity.first { $0.method == "gptq+lorc8" }?.class2 == nil)
    }

    @Test func zeroShotMeansAndDeltas() throws {
        let m = try Self.smol()
        #expect(m.zeroShotTasks == ["arc_easy", "hellaswag", "piqa"])
        let base = try #require(m.base)
        #expect(abs((base.zeroShotMean ?? 0) - (0.430 + 0.399 + 0.638) / 3) < 1e-12)
        #expect(Self.row(m, "w4a16-row-asym rtn")?.zeroShotMean == nil)
        let tiny = ModelAnalysis(model: StudyFixtures.tiny, records: try StudyFixtures.synthetic().filter { $0.model == StudyFixtures.tiny })
        // Synthetic: piqa acc_norm 0.56 in both the base and w4 g32 rtn.
        #expect(Self.row(tiny, "w4a16-g32-asym rtn")?.zeroShotDelta == 0)
    }

    @Test func klColumnsComeThrough() throws {
        let m = try Self.smol()
        #expect(m.hasKL)
        #expect(Self.row(m, "w4a16-row-asym gptq")?.record.klDivergence == 0.5028)
        #expect(Self.row(m, "w4a16-g128-asym rtn")?.record.top1Agreement == 0.6553)
    }

    @Test func studyAnalysisGroupsModels() throws {
        let a = StudyAnalysis(records: try StudyFixtures.real() + StudyFixtures.synthetic())
        #expect(a.models.map(\.model) == [StudyFixtures.smol, StudyFixtures.tiny])
        #expect(a.modelNames == [StudyFixtures.smol, StudyFixtures.tiny])
        #expect(a.studies == ["smollm2-quick", "synthetic"])
        #expect(a.recordCount == 29)
        #expect(a.models[0].rows.count == 23 && a.models[1].rows.count == 6)
    }
}
