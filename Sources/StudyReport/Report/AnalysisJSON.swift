import Foundation
import Study

/// `analysis.json`: the analysis in machine-readable form. Per model and evaluation plan: its rows
/// with classes, the Pareto frontiers, the sensitivity, the recommendations, and each verdict as
/// `{"question", "status": "holds" | "does not hold" | "inconclusive", "effect", "ci95": [lo, hi],
/// "pairs": [...]}`. Effects are ΔNLL in nats per token (claimed − other); `effect_ppl_percent`
/// gives the same as a perplexity change.
enum AnalysisJSON {
    struct Document: Encodable {
        var title: String
        var rule: String
        var studies: [String]
        var analyses: [Analysis]
        var pooledVerdicts: [VerdictJSON]

        enum CodingKeys: String, CodingKey {
            case title, rule, studies, analyses
            case pooledVerdicts = "pooled_verdicts"
        }
    }

    struct Analysis: Encodable {
        var model: String
        var architecture: String
        var fingerprint: String?
        var planID: String
        var plan: String?
        var parameters: Int?
        var baseID: String?
        var basePerplexity: Double?
        var rows: [Row]
        var frontier: Frontier
        var sensitivity: [Sensitivity]
        var recommendations: [RecommendationJSON]
        var verdicts: [VerdictJSON]
        var matchedBitsUnderStoredBits: VerdictJSON

        enum CodingKeys: String, CodingKey {
            case model, architecture, fingerprint, plan, parameters, rows, frontier, sensitivity, recommendations, verdicts
            case planID = "plan_id", baseID = "base_id", basePerplexity = "base_perplexity"
            case matchedBitsUnderStoredBits = "matched_bits_under_stored_bits"
        }
    }

    struct Row: Encodable {
        var id: String
        var recipe: String
        var seed: UInt64?
        var effectiveBits: Double
        var gptqBits: Double?
        var ggufType: String?
        var ggufBits: Double?
        var modelBytes: Int?
        var meanPerplexity: Double?
        var deltaPerplexity: Double?
        var relativeDeltaPerplexity: Double?
        var sensitivityClass: Int?
        var versusBase: Interval?
        var comparison: String?
        var diverged: Bool
        var gridAligned: Bool
        var gridFit: Double?
        var diagnostics: String?

        enum CodingKeys: String, CodingKey {
            case id, recipe, seed, diverged, diagnostics, comparison
            case effectiveBits = "effective_bits", gptqBits = "gptq_bits", ggufType = "gguf_type", ggufBits = "gguf_bits"
            case modelBytes = "model_bytes", meanPerplexity = "mean_perplexity", deltaPerplexity = "delta_perplexity"
            case relativeDeltaPerplexity = "relative_delta_perplexity", sensitivityClass = "class"
            case versusBase = "vs_base", gridAligned = "grid_aligned", gridFit = "grid_fit"
        }
    }

    struct Interval: Encodable {
        var effect: Double
        var ci95: [Double]
        var effectPPLPercent: Double
        var ci95PPLPercent: [Double]
        var units: Int

        init(_ d: PairedDifference) {
            effect = d.mean
            ci95 = [d.low, d.high]
            func percent(_ x: Double) -> Double { (exp(x) - 1) * 100 }
            effectPPLPercent = percent(d.mean)
            ci95PPLPercent = [percent(d.low), percent(d.high)]
            units = d.count
        }

        enum CodingKeys: String, CodingKey {
            case effect, ci95, units
            case effectPPLPercent = "effect_ppl_percent", ci95PPLPercent = "ci95_ppl_percent"
        }
    }

    struct Frontier: Encodable {
        var bits: [String]
        var bytes: [String]
    }

    struct Sensitivity: Encodable {
        var method: String
        var class1: String?
        var class1Bits: Double?
        var class2: String?
        var class2Bits: Double?

        enum CodingKeys: String, CodingKey {
            case method
            case class1 = "lowest_class1", class1Bits = "lowest_class1_bits", class2 = "lowest_class2", class2Bits = "lowest_class2_bits"
        }
    }

    struct RecommendationJSON: Encodable {
        var budget: String
        var recipe: String
        var ids: [String]
        var best: String
        var meanPerplexity: Double?
        var effectiveBits: Double
        var modelBytes: Int?
        var sensitivityClass: Int?
        var comparison: String?
        var baseFits: Bool
        var alternatives: [String]

        enum CodingKeys: String, CodingKey {
            case budget, recipe, ids, best, alternatives, comparison
            case meanPerplexity = "mean_perplexity", effectiveBits = "effective_bits", modelBytes = "model_bytes"
            case sensitivityClass = "class", baseFits = "base_fits"
        }
    }

    struct PairJSON: Encodable {
        var context: String
        var claimed: [String]
        var other: [String]
        var claimedRecipe: String
        var otherRecipe: String
        var outcome: String
        var nll: Interval?
        var kl: Interval?
        var zeroShot: Interval?

        enum CodingKeys: String, CodingKey {
            case context, claimed, other, outcome, nll, kl
            case claimedRecipe = "claimed_recipe", otherRecipe = "other_recipe", zeroShot = "zero_shot"
        }
    }

    struct VerdictJSON: Encodable {
        var question: String
        var status: String
        var effect: Double?
        var ci95: [Double]?
        var effectPPLPercent: Double?
        var unit: String
        var reason: String
        var pairs: [PairJSON]

        init(_ v: Verdict) {
            question = v.question
            status = v.status.rawValue
            effect = v.effect?.mean
            ci95 = v.effect.map { [$0.low, $0.high] }
            effectPPLPercent = v.effect.map { (exp($0.mean) - 1) * 100 }
            unit = v.unit
            reason = v.reason
            pairs = v.pairs.map { p in
                PairJSON(context: p.context, claimed: p.claimed.members.map(\.id), other: p.other.members.map(\.id),
                         claimedRecipe: p.claimed.label, otherRecipe: p.other.label, outcome: p.outcome.rawValue,
                         nll: p.nll.map(Interval.init), kl: p.kl.map(Interval.init), zeroShot: p.zeroShot.map(Interval.init))
            }
        }

        enum CodingKeys: String, CodingKey {
            case question, status, effect, ci95, unit, reason, pairs
            case effectPPLPercent = "effect_ppl_percent"
        }
    }

    /// The JSON text (sorted keys; NaN and infinities as strings).
    static func render(_ analysis: StudyAnalysis, title: String) throws -> String {
        let document = Document(
            title: title, rule: Verdict.rule, studies: analysis.studies,
            analyses: analysis.models.map { m in
                Analysis(
                    model: m.model, architecture: m.architecture, fingerprint: m.fingerprint, planID: m.planID, plan: m.planSummary,
                    parameters: m.parameters, baseID: m.base?.record.id, basePerplexity: m.basePerplexity,
                    rows: m.rows.map { r in
                        Row(id: r.record.id, recipe: r.recipe, seed: r.record.seed, effectiveBits: r.record.effectiveBits,
                            gptqBits: r.record.gptqBits, ggufType: r.record.ggufType, ggufBits: r.record.ggufBits,
                            modelBytes: r.record.modelBytes, meanPerplexity: r.record.meanPerplexity,
                            deltaPerplexity: r.deltaPerplexity, relativeDeltaPerplexity: r.relativeDeltaPerplexity,
                            sensitivityClass: r.sensitivity?.rawValue, versusBase: r.versusBase.map(Interval.init),
                            comparison: r.baseComparison, diverged: r.record.diverged, gridAligned: r.record.gridAligned,
                            gridFit: r.record.gridFit, diagnostics: r.record.diagnostics)
                    },
                    frontier: Frontier(bits: m.rows.filter(\.onBitsFrontier).map(\.record.id),
                                       bytes: m.rows.filter(\.onBytesFrontier).map(\.record.id)),
                    sensitivity: m.sensitivity.map {
                        Sensitivity(method: $0.method, class1: $0.class1?.recipe, class1Bits: $0.class1?.record.effectiveBits,
                                    class2: $0.class2?.recipe, class2Bits: $0.class2?.record.effectiveBits)
                    },
                    recommendations: m.recommendations.map { rec in
                        RecommendationJSON(budget: rec.budget.description, recipe: rec.choice.label, ids: rec.choice.members.map(\.id),
                                           best: rec.best.label, meanPerplexity: rec.choice.meanPerplexity,
                                           effectiveBits: rec.choice.record.effectiveBits, modelBytes: rec.choice.record.modelBytes,
                                           sensitivityClass: rec.row.sensitivity?.rawValue, comparison: rec.row.baseComparison,
                                           baseFits: rec.baseFits, alternatives: rec.alternatives.map(\.label))
                    },
                    verdicts: m.verdicts.map(VerdictJSON.init),
                    matchedBitsUnderStoredBits: VerdictJSON(m.matchedBitsStoredVerdict))
            },
            pooledVerdicts: analysis.pooledVerdicts.map(VerdictJSON.init))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
    }
}
