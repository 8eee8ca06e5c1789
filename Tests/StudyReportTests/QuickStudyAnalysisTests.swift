import Foundation
import Study
import Testing
@testable import StudyReport

/// The analysis of real rows: the default study (`ptqlab study quick`) on SmolLM2-135M, written by
/// this version (protocol 2, per-window values kept) on an AMD EPYC (Zen 3, AVX2) machine and
/// exported with scripts/fixtures/study_records.py (Fixtures/study/quick-records.json).
@Suite struct QuickStudyAnalysisTests {
    static func analysis() throws -> StudyAnalysis { StudyAnalysis(records: try StudyFixtures.quick()) }

    @Test func oneModelOnePlanWithItsBaseAsStored() throws {
        let a = try Self.analysis()
        #expect(a.models.count == 1)
        let m = a.models[0]
        #expect(m.rows.count == 17 && m.recipes.count == 16)
        #expect(m.planSummary?.hasPrefix("context 512; wiki, news, books × 8 windows; KL on wiki; piqa, arc_easy (100 docs") == true)
        let base = try #require(m.base)
        // The Q4_1 GGUF: 5 bits per block weight, the whole file's tensors ~92 MiB.
        #expect(base.record.effectiveBits == 5 && abs(Double(base.record.modelBytes ?? 0) / 1_048_576 - 92.1) < 0.1)
        #expect(m.parameters == 134_515_008)
        // Per-row values were kept: 3 corpora × 8 windows, 8 KL windows, 2 × 100 documents.
        let values = RowValues(try #require(m.rows.first { $0.recipe == "w4a16-g128-asym rtn" }).record)
        #expect(values.windowNLL.count == 24 && values.windowKL.count == 8 && values.documentScore.count == 200)
    }

    @Test func verdictsWithIntervals() throws {
        let m = try Self.analysis().models[0]
        let v1 = m.calibratedVerdict
        #expect(v1.status == .holds && v1.wins == 3 && v1.losses == 1)
        // The loss is W4 g128, where GPTQ's perplexity is worse (its KL is better).
        let loss = try #require(v1.pairs.first { $0.outcome == .loss })
        #expect(loss.claimed.record.spec == "w4a16-g128-asym" && (loss.kl?.isNegative ?? false))
        // W4 g32: GPTQ 31.228 vs RTN 31.333 is within noise.
        #expect(v1.pairs.first { $0.claimed.record.spec == "w4a16-g32-asym" }?.outcome == .tie)
        #expect(try #require(v1.effect).isNegative)
        #expect(m.fineRTNVerdict.status == .holds && m.fineRTNVerdict.wins == 4)
        #expect(m.matchedBitsVerdict.status == .holds && m.matchedBitsVerdict.pairs.count == 4)
        // Under GPTQ-stored bits (4-bit zeros), w4 per-row (4.07) and w3 g32 (3.64) are no longer matched.
        #expect(m.matchedBitsStoredVerdict.pairs.isEmpty && m.matchedBitsStoredVerdict.status == .inconclusive)
    }

    @Test func recommendationsAndNoise() throws {
        let m = try Self.analysis().models[0]
        let w8 = try #require(m.rows.first { $0.recipe == "w8a16-row-asym rtn" })
        #expect(w8.baseComparison == "no measurable loss" && w8.sensitivity == .class1)
        let eight = try #require(m.recommendations.first { $0.budget == .weightBits(8) })
        #expect(eight.choice.label == "w8a16-row-asym rtn" && eight.baseFits)
        let four = try #require(m.recommendations.first { $0.budget == .weightBits(4) })
        #expect(four.choice.record.spec == "w4a16-g32-asym")
        // ¼ and ⅓ of the f16 size (67 and 89 MB) fit nothing: the f16 embedding alone is ~57 MB.
        #expect(m.unmetBudgets == [.megabytes(67), .megabytes(89)])
        #expect(abs(Double(try #require(m.unquantizedBytes)) / 1_000_000 - 56.9) < 0.5)
        let rtn = try #require(m.sensitivity.first { $0.method == "rtn" })
        #expect(rtn.class1?.recipe == "w8a16-row-asym rtn")
    }

    @Test func reportStatesTheRulesAndTheNumbers() throws {
        let w = StudyReportWriter(records: try StudyFixtures.quick(), title: "quick")
        let md = w.markdown()
        #expect(md.contains("| w8a16-row-asym | rtn |   |   | 8.047 | 8.080 | – | 155.9 |"))
        #expect(md.contains("no measurable loss"))
        #expect(md.contains("Nothing fits ≤ 67 MB, ≤ 89 MB."))
        let summary = w.summary()
        #expect(summary.contains("fine-grained GPTQ/ZQ vs RTN: holds: PPL -38.6% [-41.7%, -35.2%] (3 wins, 1 loss, 1 within noise over 5 pairs)"))
        #expect(summary.contains("≤ 8-bit weights: w8a16-row-asym rtn (8.047 bits, 155.9 MiB), PPL 25.057"))
    }
}
