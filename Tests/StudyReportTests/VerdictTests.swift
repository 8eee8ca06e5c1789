import Foundation
import Study
import Testing
@testable import StudyReport

@Suite struct VerdictTests {
    static func smol(synthetic: Bool) throws -> ModelAnalysis {
        let extra = synthetic ? try StudyFixtures.synthetic().filter { $0.model == StudyFixtures.smol } : []
        return ModelAnalysis(model: StudyFixtures.smol, records: try StudyFixtures.real() + extra)
    }

    @Test func calibratedVsRTNOnRealRows() throws {
        let v = try Self.smol(synthetic: false).calibratedVerdict
        // Fine-grained pairs: w4 g128 (RTN 35.341 < GPTQ 38.954), w3 g128 (GPTQ 92.518 < 116.457),
        // w4a8 g128 (RTN 36.406 < 40.706). Per-row and LoRC rows are not evidence.
        #expect(v.pairs.map(\.context) == ["w3a16-g128-asym", "w4a16-g128-asym", "w4a8-g128-asym-tok"])
        #expect(v.wins == 1 && v.losses == 2 && v.ties == 0)
        #expect(v.outcome == .doesNotHold)
        #expect(v.pairs.allSatisfy { $0.claimed.method == "gptq" && $0.other.method == "rtn" && $0.claimed.lorcRank == nil })
    }

    @Test func calibratedVsRTNWithSyntheticRows() throws {
        let v = try Self.smol(synthetic: true).calibratedVerdict
        #expect(v.pairs.count == 5 && v.wins == 3 && v.losses == 2)
        #expect(v.outcome == .holds)
    }

    @Test func fineRTNBeatsPerRowRTN() throws {
        let v = try Self.smol(synthetic: false).fineRTNVerdict
        #expect(v.pairs.count == 2 && v.wins == 2)  // w4 g128 vs w4 row, w3 g128 vs w3 row
        #expect(v.outcome == .holds)
    }

    @Test func matchedBitsNeedsSyntheticRows() throws {
        let real = try Self.smol(synthetic: false).matchedBitsVerdict
        #expect(real.outcome == .notEnoughEvidence && real.pairs.isEmpty)
        #expect(real.reason.contains("within 0.15"))

        let v = try Self.smol(synthetic: true).matchedBitsVerdict
        // rtn: w4 row vs w3 g32 / w2 g16, w4 g256 vs w3 g32 / w2 g16, w3 g32 vs w2 g16, w3 row vs w2 g32;
        // gptq: w4 row vs w3 g32 (loss: 43.842 > 41.0), w4 row vs w2 g16, w3 g32 vs w2 g16.
        #expect(v.pairs.count == 9 && v.wins == 8 && v.losses == 1)
        #expect(v.outcome == .holds)
        let loss = try #require(v.pairs.first { $0.supports == false })
        #expect(loss.claimed.recipe == "w4a16-row-asym gptq" && loss.other.recipe == "w3a16-g32-asym gptq")
        #expect(v.pairs.allSatisfy { abs($0.claimed.effectiveBits - $0.other.effectiveBits) <= 0.15 + 1e-9 })
        #expect(v.pairs.allSatisfy { ($0.claimed.weightBits ?? 0) > ($0.other.weightBits ?? 0) })
        // 4.271 vs 4.021 is 0.25 apart: not a pair.
        #expect(!v.pairs.contains { $0.claimed.spec == "w4a16-g128-asym" })
    }

    @Test func missingEvidenceIsExplained() throws {
        let onlyGPTQ = try StudyFixtures.real().filter { $0.method != "rtn" }
        let v = ModelAnalysis(model: StudyFixtures.smol, records: onlyGPTQ).calibratedVerdict
        #expect(v.outcome == .notEnoughEvidence && v.reason == "no RTN row to compare")
        let onlyRTN = try StudyFixtures.real().filter { $0.method != "gptq" }
        let w = ModelAnalysis(model: StudyFixtures.smol, records: onlyRTN).calibratedVerdict
        #expect(w.outcome == .notEnoughEvidence && w.reason.contains("no GPTQ or ZQ-local row"))
    }

    @Test func outcomeRules() throws {
        let records = try StudyFixtures.real()
        let a = try #require(records.first { $0.recipe == "w4a16-row-asym rtn" })
        var b = try #require(records.first { $0.recipe == "w4a16-row-asym gptq" })
        func verdict(_ pairs: [VerdictPair]) -> Verdict {
            Verdict(question: "q", claimedLabel: "a", otherLabel: "b", pairs: pairs, missing: "none")
        }
        let win = VerdictPair(context: "x", claimed: b, other: a), loss = VerdictPair(context: "y", claimed: a, other: b)
        #expect(verdict([]).outcome == .notEnoughEvidence && verdict([]).reason == "none")
        #expect(verdict([win]).outcome == .notEnoughEvidence)
        #expect(verdict([win, win]).outcome == .holds)
        #expect(verdict([win, loss]).outcome == .mixed)
        #expect(verdict([loss, loss, win]).outcome == .doesNotHold)
        b.meanPerplexity = a.meanPerplexity
        let tie = VerdictPair(context: "z", claimed: b, other: a)
        #expect(tie.supports == nil && verdict([win, tie]).outcome == .mixed)
    }

    @Test func gridAlignedPairsAreReported() throws {
        let tiny = ModelAnalysis(model: StudyFixtures.tiny, records: try StudyFixtures.synthetic().filter { $0.model == StudyFixtures.tiny })
        let v = tiny.calibratedVerdict
        #expect(v.pairs.count == 1 && v.gridAlignedPairs.count == 1 && v.outcome == .notEnoughEvidence)
        let notes = GridAlignmentNotes.lines(tiny)
        #expect(notes.filter { $0.contains("optimistic, lies on the base model's storage grid") }.count == 2)
        #expect(notes.contains { $0.hasPrefix("The ≤ 5-bit recommendation (w4a16-g32-asym rtn) is grid-aligned") })
        #expect(notes.contains { $0.hasPrefix("The ≤ 8-bit recommendation (w4a16-g32-asym rtn) is grid-aligned") })
        #expect(notes.contains { $0.hasPrefix("Evidence pair w4a16-g32-asym") })
    }
}
