import Calibration
import Experiment
import Foundation
import ModelFormats
import Quantization

/// One experiment: a model, a quantization recipe (nil for the base row) and what to measure.
/// Its `id` hashes everything that affects the result, so a rerun, another shard or another
/// machine recognises a finished experiment.
public struct ExperimentConfig: Codable, Hashable, Sendable {
    /// Bump when a change of the program changes what an experiment measures (`EvaluationPlan.protocolVersion`).
    public static var protocolVersion: Int { EvaluationPlan.protocolVersion }

    /// The model as the study names it, and a fingerprint of its file(s) (see `ModelFingerprint`).
    public var model: String
    public var modelFingerprint: String
    public var recipe: QuantRecipe?
    public var evaluation: EvaluationPlan
    public var protocolVersion: Int

    public init(model: String, modelFingerprint: String, recipe: QuantRecipe?, evaluation: EvaluationPlan) {
        self.model = model
        self.modelFingerprint = modelFingerprint
        self.recipe = recipe
        // The base row keeps the whole plan (KL included, though it has nothing to compare with):
        // it is the reference of every row with the same plan id.
        self.evaluation = evaluation
        self.protocolVersion = Self.protocolVersion
    }

    /// The id of the evaluation plan, under the protocol this experiment was measured with.
    public var planID: String { evaluation.id(protocolVersion: protocolVersion) }

    public var isBase: Bool { recipe == nil }

    /// Canonical JSON (sorted keys): what the identity hashes and what the database keeps.
    public var canonicalJSON: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// The first 16 hex digits of SHA-256 of the canonical JSON.
    public var id: String { String(SHA256.hex(canonicalJSON).prefix(16)) }

    /// One line for listings: `smollm2-135m w4a16-g128-asym gptq+lorc8 seed 0`.
    public var label: String {
        guard let recipe else { return "\(model) base" }
        var text = "\(model) \(recipe.spec) \(recipe.methodLabel)"
        if let seed = recipe.calibration?.seed { text += " seed \(seed)" }
        return text
    }
}
