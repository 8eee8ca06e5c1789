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
        let byBudget = Dictionary(uniqueKeysWithValues: m.recommendations.map { ($0.budgetBits, $0.row.recipe) })
        #expect(byBudget[3] == nil)  // the cheapest row is 3.047 bits
        #expect(byBudget[4] == "w3a16-g128-asym gptq+lorc8")
        #expect(byBudget[5] == "w4a16-row-asym gptq+lorc8")
        // Every 8-bit row costs more than 8 effective bits (w8a8 8.023, w8a16 8.047).
        #expect(byBudget[8] == "w4a16-row-asym gptq+lorc8")
        #expect(m.recommendations.map(\.budgetBits) == [4, 5, 8])
    }

    @Test func recommendationTiesGoToFewerBits() throws {
        var records = try StudyFixtures.real()
        let i = try #require(records.firstIndex { $0.spec == "w4a16-g128-asym" && $0.method == "rtn" })
        records[i].meanPerplexity = 33.646  // same PPL as w4 row gptq+lorc8 (4.255 bits) at 4.271 bits
        let m = ModelAnalysis(model: StudyFixtures.smol, records: records)
        #expect(m.recommendations.first { $0.budgetBits == 5 }?.row.recipe == "w4a16-row-asym gptq+lorc8")
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
        #expect(a.studies == ["smollm2-quick", "synthetic"])
        #expect(a.recordCount == 29)
        #expect(a.models[0].rows.count == 23 && a.models[1].rows.count == 6)
    }
}
