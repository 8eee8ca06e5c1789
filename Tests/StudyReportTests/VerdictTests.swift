import Foundation
import Study
import Testing
@testable import StudyReport

/// The verdict rules on hand-made rows (SyntheticRows): pairs that differ only in the factor under
/// test, paired 95% intervals over windows, seeds averaged, diverged rows, and the decision rule.
@Suite struct VerdictTests {
    typealias S = SyntheticRows

    /// Base, plain RTN and plain GPTQ at g128 and g32 (GPTQ clearly better), RTN per-row.
    static func clearRows() -> [ExperimentRecord] {
        [S.row("base", method: "base", spec: nil, nll: S.windows(3.0)),
         S.row("rtn-g128", method: "rtn", spec: "w4a16-g128-asym", nll: S.windows(3.5, phase: 1)),
         S.row("gptq-g128", method: "gptq", spec: "w4a16-g128-asym", nll: S.windows(3.3, phase: 2), seed: 0),
         S.row("rtn-g32", method: "rtn", spec: "w4a16-g32-asym", nll: S.windows(3.3, phase: 3)),
         S.row("gptq-g32", method: "gptq", spec: "w4a16-g32-asym", nll: S.windows(3.2, phase: 4), seed: 0),
         S.row("rtn-row", method: "rtn", spec: "w4a16-row-asym", nll: S.windows(3.9, phase: 5))]
    }

    @Test func studentTQuantilesMatchTables() {
        // Two-sided 95% critical values (any statistics table): df 1, 2, 7, 23, 1000.
        #expect(abs(StudentT.quantile(0.975, df: 1) - 12.7062) < 1e-3)
        #expect(abs(StudentT.quantile(0.975, df: 2) - 4.3027) < 1e-4)
        #expect(abs(StudentT.quantile(0.975, df: 7) - 2.3646) < 1e-4)
        #expect(abs(StudentT.quantile(0.975, df: 23) - 2.0687) < 1e-4)
        #expect(abs(StudentT.quantile(0.975, df: 1000) - 1.9623) < 1e-4)
        #expect(abs(StudentT.quantile(0.025, df: 7) + 2.3646) < 1e-4)
    }

    @Test func pairedIntervalIsMeanPlusMinusTTimesStandardError() throws {
        let d = try #require(PairedDifference([1.0, 2.0, 3.0, 4.0], minus: [0, 0, 0, 0]))
        // mean 2.5, sd √(5/3), se √(5/12), t(0.975, 3) = 3.18245
        #expect(abs(d.mean - 2.5) < 1e-12)
        #expect(abs(d.high - (2.5 + 3.18245 * (5.0 / 12).squareRoot())) < 1e-4)
        #expect(d.isPositive && !d.includesZero)
        #expect(PairedDifference([1], minus: [0]) == nil)
        #expect(PairedDifference([1, .nan], minus: [0, 0]) == nil)
    }

    @Test func calibratedBeatsRTNWithIntervals() throws {
        let m = ModelAnalysis(model: "m", records: Self.clearRows())
        let v = m.calibratedVerdict
        #expect(v.pairs.map(\.context) == ["w4a16-g128-asym: gptq vs rtn, wiki 32×512", "w4a16-g32-asym: gptq vs rtn, wiki 32×512"])
        #expect(v.pairs.allSatisfy { $0.outcome == .win })
        #expect(v.status == .holds)
        let effect = try #require(v.effect)
        // Pooled window by window: the pairs' mean differences are −0.2 and −0.1 (± the wiggles).
        #expect(abs(effect.mean + 0.15) < 0.03 && effect.high < 0)
        #expect(v.line.hasPrefix("holds: PPL -"))
        // Fine-grained RTN vs per-row RTN: g128 and g32 both beat per-row.
        #expect(m.fineRTNVerdict.status == .holds && m.fineRTNVerdict.pairs.count == 2)
    }

    @Test func nearTieIsInconclusive() throws {
        var rows = Self.clearRows()
        // GPTQ within a hair of RTN, window by window, with alternating signs.
        rows[2] = S.row("gptq-g128", method: "gptq", spec: "w4a16-g128-asym",
                        nll: S.windows(3.5, phase: 1).enumerated().map { $1 + ($0 % 2 == 0 ? 0.001 : -0.0012) }, seed: 0)
        rows[4] = S.row("gptq-g32", method: "gptq", spec: "w4a16-g32-asym",
                        nll: S.windows(3.3, phase: 3).enumerated().map { $1 + ($0 % 2 == 0 ? 0.0011 : -0.001) }, seed: 0)
        let v = ModelAnalysis(model: "m", records: rows).calibratedVerdict
        #expect(v.pairs.allSatisfy { $0.outcome == .tie })
        #expect(v.status == .inconclusive)
        #expect(try #require(v.effect).includesZero)
        #expect(v.reason.contains("the pooled interval includes 0"))
    }

    @Test func measurableLossesMakeItNotHold() throws {
        var rows = Self.clearRows()
        rows[2] = S.row("gptq-g128", method: "gptq", spec: "w4a16-g128-asym", nll: S.windows(3.7, phase: 1), seed: 0)
        rows[4] = S.row("gptq-g32", method: "gptq", spec: "w4a16-g32-asym", nll: S.windows(3.5, phase: 3), seed: 0)
        let v = ModelAnalysis(model: "m", records: rows).calibratedVerdict
        #expect(v.losses == 2 && v.status == .doesNotHold)
    }

    @Test func seedsAreAveragedBeforeComparing() throws {
        var rows = Self.clearRows()
        // Seed 1 of GPTQ g128 is much worse than seed 0; the pair uses their average (3.3 + 3.6)/2 = 3.45 < 3.5.
        rows.append(S.row("gptq-g128-s1", method: "gptq", spec: "w4a16-g128-asym", nll: S.windows(3.6, phase: 2), seed: 1))
        let m = ModelAnalysis(model: "m", records: rows)
        let recipe = try #require(m.recipes.first { $0.record.spec == "w4a16-g128-asym" && $0.record.method == "gptq" })
        #expect(recipe.members.map(\.id) == ["gptq-g128", "gptq-g128-s1"] && recipe.seeds == [0, 1])
        #expect(recipe.label == "w4a16-g128-asym gptq (seeds 0, 1)")
        let pair = try #require(m.calibratedVerdict.pairs.first { $0.claimed == recipe })
        #expect(abs(try #require(pair.nll).mean + 0.05) < 0.03)
        // One pair per recipe, not per seed; the table still lists both seeds.
        #expect(m.calibratedVerdict.pairs.count == 2)
        #expect(m.rows.filter { $0.record.spec == "w4a16-g128-asym" && $0.record.method == "gptq" }.count == 2)
        // The best seed alone is not what the recommendation reports: the average is.
        let seedRows = rows.filter { $0.spec == "w4a16-g128-asym" && $0.method == "gptq" }.compactMap(\.meanPerplexity)
        #expect(seedRows.count == 2 && recipe.meanPerplexity == (seedRows[0] + seedRows[1]) / 2)
    }

    @Test func divergedRowsAreNeitherWinsNorLosses() throws {
        var rows = Self.clearRows()
        rows[1] = S.row("rtn-g128", method: "rtn", spec: "w4a16-g128-asym", nll: S.windows(3.5).map { _ in .infinity })
        let m = ModelAnalysis(model: "m", records: rows)
        let v = m.calibratedVerdict
        let diverged = try #require(v.pairs.first { $0.context.hasPrefix("w4a16-g128") })
        #expect(diverged.outcome == .diverged && v.wins == 1 && v.losses == 0)
        // One comparable pair left: not enough to decide.
        #expect(v.status == .inconclusive)
        #expect(v.reason.contains("1 diverged"))
        let row = try #require(m.rows.first { $0.record.id == "rtn-g128" })
        #expect(row.record.diverged && row.sensitivity == nil && row.baseComparison == "diverged")
        #expect(m.rows.last?.record.id == "rtn-g128")   // diverged rows sort last
        #expect(!m.recommendations.contains { $0.choice.members.contains { $0.id == "rtn-g128" } })
    }

    @Test func optionsThatChangeResultsAreNotPairedAsPlain() throws {
        var rows = Self.clearRows()
        // RTN with MSE clipping is its own recipe: distinct label, never the RTN side of verdict 1.
        rows.append(S.row("rtn-mse-g128", method: "rtn", spec: "w4a16-g128-asym", nll: S.windows(3.0, phase: 6), mseClip: true))
        rows.append(S.row("gptq-ao-g128", method: "gptq", spec: "w4a16-g128-asym", nll: S.windows(3.1, phase: 7), seed: 0, actOrder: true))
        let m = ModelAnalysis(model: "m", records: rows)
        let labels = Set(m.recipes.map(\.record.methodLabel))
        #expect(labels.isSuperset(of: ["rtn", "rtn+mse-clip", "gptq", "gptq+act-order"]))
        let v = m.calibratedVerdict
        #expect(v.pairs.count == 2)
        #expect(v.pairs.allSatisfy { $0.claimed.record.methodLabel == "gptq" && $0.other.record.methodLabel == "rtn" })
    }

    @Test func matchedBitsUnderBothConventions() throws {
        // w4 per-row (4.05 paper bits, 4.10 stored) vs w3 g32 (4.0 paper, 3.65 stored): matched under
        // the paper's convention only.
        let rows = [S.row("base", method: "base", spec: nil, nll: S.windows(3.0)),
                    S.row("w4row", method: "rtn", spec: "w4a16-row-asym", nll: S.windows(3.3, phase: 1), effectiveBits: 4.05, gptqBits: 4.10),
                    S.row("w3g32", method: "rtn", spec: "w3a16-g32-asym", nll: S.windows(3.6, phase: 2), effectiveBits: 4.0, gptqBits: 3.65),
                    S.row("w3row", method: "rtn", spec: "w3a16-row-asym", nll: S.windows(4.4, phase: 3), effectiveBits: 3.05, gptqBits: 3.10),
                    S.row("w2g32", method: "rtn", spec: "w2a16-g32-asym", nll: S.windows(6.0, phase: 4), effectiveBits: 3.0, gptqBits: 2.63)]
        let m = ModelAnalysis(model: "m", records: rows)
        #expect(m.matchedBitsVerdict.pairs.count == 2 && m.matchedBitsVerdict.status == .holds)
        #expect(m.matchedBitsStoredVerdict.pairs.isEmpty && m.matchedBitsStoredVerdict.status == .inconclusive)
        #expect(m.matchedBitsStoredVerdict.question.contains("GPTQ checkpoint as stored"))
    }

    @Test func klAndZeroShotDifferencesArePairedToo() throws {
        let rows = [S.row("base", method: "base", spec: nil, nll: S.windows(3.0), documents: [1, 1, 0, 1, 0, 1, 1, 0]),
                    S.row("rtn", method: "rtn", spec: "w4a16-g32-asym", nll: S.windows(3.4, phase: 1),
                          kl: S.windows(0.4, wiggle: 0.02), documents: [1, 0, 0, 1, 0, 0, 1, 0]),
                    S.row("gptq", method: "gptq", spec: "w4a16-g32-asym", nll: S.windows(3.2, phase: 2), seed: 0,
                          kl: S.windows(0.25, wiggle: 0.02, phase: 3), documents: [1, 1, 0, 1, 0, 1, 1, 0])]
        let pair = try #require(ModelAnalysis(model: "m", records: rows).calibratedVerdict.pairs.first)
        let kl = try #require(pair.kl), zs = try #require(pair.zeroShot)
        #expect(abs(kl.mean + 0.15) < 0.03 && kl.isNegative)
        #expect(abs(zs.mean - 2.0 / 8) < 1e-12 && zs.count == 8)
    }

    @Test func poolingAcrossModelsUsesPairsAsUnits() throws {
        let two = Self.clearRows() + Self.clearRows().map { r -> ExperimentRecord in
            var c = r
            c.model = "m2"
            c.id += "-m2"
            return c
        }
        let a = StudyAnalysis(records: two)
        #expect(a.models.count == 2 && a.pooledVerdicts.count == 3)
        let pooled = a.pooledVerdicts[0]
        #expect(pooled.unit == "pair" && pooled.pairs.count == 4 && pooled.status == .holds)
    }

    @Test func legacyRowsWithoutWindowsAreInconclusive() throws {
        // Protocol-1 rows (Fixtures/study/records.json) carry no per-window values: no interval, no decision.
        let m = ModelAnalysis(model: StudyFixtures.smol, records: try StudyFixtures.real())
        let v = m.calibratedVerdict
        #expect(!v.pairs.isEmpty && v.pairs.allSatisfy { $0.outcome == .noInterval })
        #expect(v.status == .inconclusive && v.reason.contains("without per-window values"))
    }
}
