import Calibration
import Distillation
import Foundation
import ModelFormats
import Yams

/// A study as written in YAML: models × schemes × methods × seeds, and what to evaluate.
///
/// ```yaml
/// name: quick
/// models: [smollm2-135m]
/// schemes:
///   - {bits: [8, 4, 3], granularity: [row, g128], symmetry: asym}
///   - {spec: w8a8-row-sym-tok}
///   - {bits: 3, granularity: g128, methods: [{name: gptq, lorc: 8}]}   # methods for this entry only
/// methods: [rtn, gptq, {name: gptq, lorc: 8}]
/// calibration: {corpus: wiki, samples: 32, length: 512}
/// seeds: [0]
/// evaluation:
///   context: 512
///   perplexity: {corpora: [wiki, news, books], max_windows: 16}
///   zero_shot: {tasks: [piqa], limit: 200}
///   kl: {corpora: [wiki]}
/// ```
public struct StudyFile: Decodable, Sendable {
    public var name: String
    public var description: String?
    /// Installed model names (`smollm2-135m`) or paths to GGUF files / Hugging Face directories.
    public var models: OneOrMany<String>
    public var schemes: [SchemeEntry]
    /// Methods for every scheme entry that names none of its own.
    public var methods: OneOrMany<MethodEntry>?
    public var calibration: CalibrationEntry?
    /// Calibration seeds: each calibrated recipe runs once per seed.
    public var seeds: IntegerAxis?
    public var evaluation: EvaluationEntry

    /// One entry of `schemes:`: explicit specs, or a grid over bits × granularity × symmetry × activation.
    public struct SchemeEntry: Decodable, Sendable {
        public var spec: OneOrMany<String>?
        public var bits: IntegerAxis?
        public var granularity: GranularityAxis?
        /// `sym`, `asym` or both.
        public var symmetry: OneOrMany<String>?
        /// `a16` / `none` (floating-point activations) or the activation part of a spec: `a8-tok`,
        /// `a8-tok-sym`, `a8-tensor-static`.
        public var activation: OneOrMany<String>?
        /// Methods for these schemes only (instead of the study's `methods:`).
        public var methods: OneOrMany<MethodEntry>?
        /// Per-layer overrides for every method of this entry (first match wins), e.g.
        /// `overrides: [{"*.down_proj": w8a16-row-asym}, {pattern: "*.{last}.*", spec: w8a16-row-asym, method: rtn}]`.
        public var overrides: [OverrideEntry]?
        /// Weight-only specs for the token embedding and the LM head (round to nearest), for every
        /// method of this entry; absent: kept in full precision.
        public var embedding: String?
        public var lmHead: String?
        /// With a ggml spec or llama.cpp mix: per-tensor ggml types chosen under this many bits per
        /// block-linear weight (`QuantRecipe.targetBitsPerWeight`), for every method of this entry.
        public var targetBpw: Double?

        enum CodingKeys: String, CodingKey {
            case spec, bits, granularity, symmetry, activation, methods, overrides, embedding, lmHead = "lm_head"
            case targetBpw = "target_bpw"
        }
    }

    /// One per-layer override: `{PATTERN: SPEC}` or `{pattern: PATTERN, spec: SPEC, method: METHOD}`.
    public struct OverrideEntry: Decodable, Sendable {
        public var value: LayerOverride

        enum CodingKeys: String, CodingKey { case pattern, spec, method }

        public init(from decoder: Decoder) throws {
            let keyed = try? decoder.container(keyedBy: CodingKeys.self)
            if let keyed, keyed.contains(.pattern) {
                value = LayerOverride(pattern: try keyed.decode(String.self, forKey: .pattern), spec: try keyed.decode(String.self, forKey: .spec),
                                      method: try keyed.decodeIfPresent(String.self, forKey: .method))
            } else {
                let map = try decoder.singleValueContainer().decode([String: String].self)
                guard map.count == 1, let (pattern, spec) = map.first else {
                    throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                        debugDescription: "an override is one {PATTERN: SPEC} pair, or {pattern:, spec:, method:} (a list keeps their order: the first match wins)"))
                }
                value = LayerOverride(pattern: pattern, spec: spec)
            }
            if let problem = value.problem {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: problem))
            }
        }
    }

    /// One entry of `methods:`: `rtn`, `gptq`, `zq-local`, `zq-global`, or
    /// `{name: gptq, act_order: true, static_groups: true, damping: 0.1, lorc: 8, lorc_bits: 16,
    /// true_sequential: false}`, or `{name: zq-global, steps: 200, lr: 0.1, batch: 8,
    /// learn_scales: true, scale_lr: 0.001, seed: 1}`, or `awq` / `{name: gptq, awq: true}` (AWQ's
    /// scales and clipping first; knobs `awq_grid: 20`, `awq_clip: false`), or `smoothquant` /
    /// `{name: gptq, smoothquant: true}` (SmoothQuant's smoothing first; knob `sq_alpha: 0.85`).
    public struct MethodEntry: Decodable, Sendable {
        public var name: String
        public var actOrder: Bool
        public var mseClip: Bool
        public var lorc: Int?
        public var staticGroups: Bool
        public var damping: Double?
        public var lorcBits: Int?
        /// Sequential calibration in true-sequential order (nil: the default, true); false: one
        /// probe per block (`CalibrationSettings.trueSequential`).
        public var trueSequential: Bool?
        /// ZeroQuant-Global knobs (nil: its defaults); only with `name: zq-global`.
        public var zqGlobal: ZeroQuantGlobalSettings?
        /// AWQ before the method (always for `awq`; nil: none).
        public var awq: AWQSettings?
        /// SmoothQuant before the method (always for `smoothquant`; nil: none).
        public var smoothQuant: SmoothQuantSettings?
        /// Per-layer overrides, from the scheme entry this method is listed under.
        public var overrides: [LayerOverride] = []
        /// Token-table specs, from the scheme entry this method is listed under.
        public var embedding: String?
        public var head: String?
        /// The llama.cpp mix the scheme entry's spec named (q4_k_m, …), and its size budget.
        public var mix: String?
        public var targetBitsPerWeight: Double?

        enum CodingKeys: String, CodingKey {
            case name, actOrder = "act_order", mseClip = "mse_clip", lorc, staticGroups = "static_groups", damping
            case lorcBits = "lorc_bits", trueSequential = "true_sequential"
            case steps, lr, batch, learnScales = "learn_scales", scaleLR = "scale_lr", seed
            case logitSteps = "logit_steps", logitLR = "logit_lr"
            case awq, awqGrid = "awq_grid", awqClip = "awq_clip"
            case smoothQuant = "smoothquant", sqAlpha = "sq_alpha"
        }

        public init(name: String, actOrder: Bool = false, mseClip: Bool = false, lorc: Int? = nil, staticGroups: Bool = false,
                    damping: Double? = nil, lorcBits: Int? = nil, trueSequential: Bool? = nil,
                    zqGlobal: ZeroQuantGlobalSettings? = nil, awq: AWQSettings? = nil, smoothQuant: SmoothQuantSettings? = nil) {
            self.name = name; self.actOrder = actOrder; self.mseClip = mseClip; self.lorc = lorc
            self.staticGroups = staticGroups; self.damping = damping; self.lorcBits = lorcBits
            self.trueSequential = trueSequential; self.zqGlobal = zqGlobal
            self.awq = name == "awq" ? awq ?? AWQSettings() : awq
            self.smoothQuant = name == "smoothquant" ? smoothQuant ?? SmoothQuantSettings() : smoothQuant
        }

        public init(from decoder: Decoder) throws {
            if let name = try? decoder.singleValueContainer().decode(String.self) {
                self.init(name: name)
                return
            }
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(name: try c.decode(String.self, forKey: .name),
                      actOrder: try c.decodeIfPresent(Bool.self, forKey: .actOrder) ?? false,
                      mseClip: try c.decodeIfPresent(Bool.self, forKey: .mseClip) ?? false,
                      lorc: try c.decodeIfPresent(Int.self, forKey: .lorc),
                      staticGroups: try c.decodeIfPresent(Bool.self, forKey: .staticGroups) ?? false,
                      damping: try c.decodeIfPresent(Double.self, forKey: .damping),
                      lorcBits: try c.decodeIfPresent(Int.self, forKey: .lorcBits),
                      trueSequential: try c.decodeIfPresent(Bool.self, forKey: .trueSequential))
            let knobs: [CodingKeys] = [.steps, .lr, .batch, .learnScales, .scaleLR, .seed, .logitSteps, .logitLR]
            if knobs.contains(where: c.contains) {
                guard name == "zq-global" else {
                    throw DecodingError.dataCorruptedError(forKey: knobs.first(where: c.contains)!, in: c,
                        debugDescription: "steps, lr, batch, learn_scales, scale_lr, seed, logit_steps and logit_lr are zq-global options; this method is \(name)")
                }
                let d = ZeroQuantGlobalSettings()
                zqGlobal = ZeroQuantGlobalSettings(
                    steps: try c.decodeIfPresent(Int.self, forKey: .steps) ?? d.steps,
                    learningRate: try c.decodeIfPresent(Double.self, forKey: .lr) ?? d.learningRate,
                    batch: try c.decodeIfPresent(Int.self, forKey: .batch) ?? d.batch,
                    learnScales: try c.decodeIfPresent(Bool.self, forKey: .learnScales) ?? false,
                    scaleLearningRate: try c.decodeIfPresent(Double.self, forKey: .scaleLR) ?? d.scaleLearningRate,
                    seed: try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed,
                    logitSteps: try c.decodeIfPresent(Int.self, forKey: .logitSteps) ?? d.logitSteps,
                    logitLearningRate: try c.decodeIfPresent(Double.self, forKey: .logitLR) ?? d.logitLearningRate)
            }
            let composed = try c.decodeIfPresent(Bool.self, forKey: .awq)
            if composed != nil && name == "awq" {
                throw DecodingError.dataCorruptedError(forKey: .awq, in: c, debugDescription: "awq: true composes AWQ with another method; the awq method runs it already")
            }
            let awqKnobs: [CodingKeys] = [.awqGrid, .awqClip]
            if composed == true || name == "awq" {
                awq = AWQSettings(grid: try c.decodeIfPresent(Int.self, forKey: .awqGrid) ?? AWQSettings.defaultGrid,
                                  clip: try c.decodeIfPresent(Bool.self, forKey: .awqClip) ?? true)
            } else if awqKnobs.contains(where: c.contains) {
                throw DecodingError.dataCorruptedError(forKey: awqKnobs.first(where: c.contains)!, in: c,
                    debugDescription: "awq_grid and awq_clip are AWQ options: use name: awq, or awq: true")
            }
            let smoothed = try c.decodeIfPresent(Bool.self, forKey: .smoothQuant)
            if smoothed != nil && name == "smoothquant" {
                throw DecodingError.dataCorruptedError(forKey: .smoothQuant, in: c, debugDescription: "smoothquant: true composes SmoothQuant with another method; the smoothquant method runs it already")
            }
            if smoothed == true || name == "smoothquant" {
                smoothQuant = SmoothQuantSettings(alpha: try c.decodeIfPresent(Double.self, forKey: .sqAlpha) ?? SmoothQuantSettings.defaultAlpha)
            } else if c.contains(.sqAlpha) {
                throw DecodingError.dataCorruptedError(forKey: .sqAlpha, in: c,
                    debugDescription: "sq_alpha is a SmoothQuant option: use name: smoothquant, or smoothquant: true")
            }
        }

        /// The recipe this entry names for `spec` (calibration settings added by the grid).
        public func recipe(spec: String) -> QuantRecipe {
            QuantRecipe(spec: mix ?? spec, method: name, actOrder: actOrder, mseClip: mseClip, lorcRank: lorc,
                        staticGroups: staticGroups, damping: damping, lorcFactorBits: lorcBits, zqGlobal: zqGlobal, awq: awq,
                        smoothQuant: smoothQuant, overrides: overrides, embedding: embedding, head: head,
                        targetBitsPerWeight: targetBitsPerWeight)
        }
    }

    public struct CalibrationEntry: Decodable, Sendable {
        public var corpus: String?
        public var samples: Int?
        public var length: Int?
        /// false: Hessians from the unquantized model, computed once per model and shared.
        public var sequential: Bool?
    }

    public struct EvaluationEntry: Decodable, Sendable {
        /// Window length (default 2048, capped by each model).
        public var context: Int?
        public var perplexity: PerplexityEntry?
        public var zeroShot: ZeroShotEntry?
        public var kl: KLEntry?

        enum CodingKeys: String, CodingKey { case context, perplexity, zeroShot = "zero_shot", kl }

        public struct PerplexityEntry: Decodable, Sendable {
            public var corpora: OneOrMany<String>
            public var maxWindows: Int?
            enum CodingKeys: String, CodingKey { case corpora, maxWindows = "max_windows" }
        }

        public struct ZeroShotEntry: Decodable, Sendable {
            public var tasks: OneOrMany<String>
            public var limit: Int?
            public var subsetSeed: UInt64?
            enum CodingKeys: String, CodingKey { case tasks, limit, subsetSeed = "subset_seed" }
        }

        /// KL divergence against the base model on these corpora (same windows as perplexity).
        public struct KLEntry: Decodable, Sendable {
            public var corpora: OneOrMany<String>
            public var maxWindows: Int?
            enum CodingKeys: String, CodingKey { case corpora, maxWindows = "max_windows" }
        }
    }

    /// Every key a study file may use, by path (`*` = any list item); anything else is a typo.
    static let allowedKeys: [String: Set<String>] = [
        "": ["name", "description", "models", "schemes", "methods", "calibration", "seeds", "evaluation"],
        "schemes.*": ["spec", "bits", "granularity", "symmetry", "activation", "methods", "overrides", "embedding", "lm_head", "target_bpw"],
        "schemes.*.methods.*": ["name", "act_order", "mse_clip", "lorc", "static_groups", "damping", "lorc_bits", "true_sequential",
                                     "steps", "lr", "batch", "learn_scales", "scale_lr", "seed", "logit_steps", "logit_lr",
                                     "awq", "awq_grid", "awq_clip", "smoothquant", "sq_alpha"],
        "methods.*": ["name", "act_order", "mse_clip", "lorc", "static_groups", "damping", "lorc_bits", "true_sequential",
                                     "steps", "lr", "batch", "learn_scales", "scale_lr", "seed", "logit_steps", "logit_lr",
                                     "awq", "awq_grid", "awq_clip", "smoothquant", "sq_alpha"],
        "calibration": ["corpus", "samples", "length", "sequential"],
        "evaluation": ["context", "perplexity", "zero_shot", "kl"],
        "evaluation.perplexity": ["corpora", "max_windows"],
        "evaluation.zero_shot": ["tasks", "limit", "subset_seed"],
        "evaluation.kl": ["corpora", "max_windows"],
    ]

    /// Parses YAML text; `source` names the file in errors.
    public static func parse(_ text: String, source: String) throws -> StudyFile {
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            // Yams quotes the lines around the problem: keep its message, not kilobytes of context.
            throw StudyError("\(source): not valid YAML: \(MessageExcerpt.of("\(error)", limit: 200))")
        }
        guard let node, node.mapping != nil else { throw StudyError("\(source): expected a mapping with name, models, schemes, methods, evaluation") }
        try checkKeys(node, path: "", source: source)
        do {
            return try YAMLDecoder().decode(StudyFile.self, from: node)
        } catch let error as DecodingError {
            throw StudyError("\(source): \(describe(error))")
        }
    }

    /// Reads and parses a study file.
    public static func load(path: String) throws -> StudyFile {
        guard let data = FileManager.default.contents(atPath: path) else { throw StudyError("\(path): cannot read the study file") }
        guard let text = String(data: data, encoding: .utf8) else { throw StudyError("\(path): not UTF-8 text") }
        return try parse(text, source: path)
    }

    static func checkKeys(_ node: Node, path: String, source: String) throws {
        if let mapping = node.mapping {
            let allowed = allowedKeys[path]
            for (key, value) in mapping {
                guard let name = key.string else { throw StudyError("\(source): \(path.isEmpty ? "top level" : path): keys must be strings") }
                let child = path.isEmpty ? name : "\(path).\(name)"
                if let allowed, !allowed.contains(name) {
                    throw StudyError("\(source): \(MessageExcerpt.of(child)): unknown field (expected one of \(allowed.sorted().joined(separator: ", ")))")
                }
                if allowed != nil { try checkKeys(value, path: child, source: source) }
            }
        } else if let sequence = node.sequence {
            for item in sequence { try checkKeys(item, path: path + ".*", source: source) }
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: ".")).replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let at = path(context.codingPath)
            return "\(at.isEmpty ? "" : at + ": ")missing field '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
