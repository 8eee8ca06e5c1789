import Calibration
import Evaluation
import Experiment
import Foundation
import Quantization

/// A study expanded into experiments, in the order they run, plus the combinations it rejected.
public struct StudyGrid: Sendable {
    public struct Rejection: Sendable, Hashable, CustomStringConvertible {
        public var label: String
        public var reason: String
        public var description: String { "\(label): \(reason)" }
    }

    public var name: String
    public var models: [String]
    public var experiments: [ExperimentConfig]
    public var rejected: [Rejection]

    /// The most experiments one study may expand to: a typo in a range ("0..100000000") must
    /// fail at once, not hang while a grid of 10^8 experiments is built. The paper's whole study
    /// is ~10^4 experiments.
    public static let maximumExperiments = 100_000

    /// A study's name becomes a directory (study-out/<name>) and a column value: letters, digits,
    /// '.', '_' and '-' only, not starting with '.', so it can never climb out of the output directory.
    public static func checkName(_ name: String, source: String) throws {
        guard !name.isEmpty else { throw StudyError("\(source): name: must not be empty") }
        let allowed = name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)) }
        guard allowed, !name.hasPrefix("."), name.count <= 128 else {
            throw StudyError("\(source): name: '\(name)' must be at most 128 letters, digits, '.', '_' or '-', not starting with '.' (it names the output directory)")
        }
    }

    /// Expands a study file. `fingerprint` identifies a model's contents (`ModelFingerprint.of`);
    /// `shape` describes a model for the checks that depend on it (group size wider than every
    /// linear, LoRC rank above a layer's dimension). Throws for a malformed study (naming the
    /// field); impossible combinations are listed in `rejected`, each with its reason.
    public static func expand(_ study: StudyFile, source: String,
                              fingerprint: (String) throws -> String = ModelFingerprint.of,
                              shape: (String) throws -> ModelShape?) throws -> StudyGrid {
        let models = study.models.values
        guard !models.isEmpty else { throw StudyError("\(source): models: list at least one model") }
        try checkName(study.name, source: source)
        let specs = try expandSchemes(study.schemes, defaultMethods: study.methods?.values ?? [], source: source)
        for (i, entry) in study.schemes.enumerated() {
            let (methods, field) = entry.methods.map { ($0.values, "schemes[\(i)].methods") } ?? (study.methods?.values ?? [], "methods")
            guard !methods.isEmpty else { throw StudyError("\(source): schemes[\(i)]: no methods (give methods: at the top level or in the entry)") }
            for (j, m) in methods.enumerated() where !QuantRecipe.methods.contains(m.name) {
                throw StudyError("\(source): \(field)[\(j)]: unknown method '\(m.name)' (methods: \(QuantRecipe.methods.joined(separator: ", ")))")
            }
        }
        let calibration = try calibrationDefaults(study.calibration, source: source)
        let seeds = (study.seeds?.values ?? [0])
        guard seeds.allSatisfy({ $0 >= 0 }) else { throw StudyError("\(source): seeds: must be non-negative") }
        let plan = try evaluationPlan(study.evaluation, source: source)
        let combinations = specs.reduce(0) { $0 + $1.1.count } * seeds.count * models.count
        guard combinations <= maximumExperiments else {
            throw StudyError("\(source): the grid has \(combinations) combinations (\(models.count) models × schemes × methods × "
                + "\(seeds.count) seeds), more than \(maximumExperiments); split the study or narrow its axes")
        }

        var experiments: [ExperimentConfig] = []
        // Sets beside the ordered lists: a grid may hold up to `maximumExperiments` candidates, and a
        // linear `contains` per candidate would make expansion quadratic.
        var rejected: [Rejection] = []
        var rejectedSet = Set<Rejection>()
        func reject(_ r: Rejection) { if rejectedSet.insert(r).inserted { rejected.append(r) } }
        var seen = Set<String>()
        for model in models {
            let print = try fingerprint(model)
            let modelShape = try shape(model)
            let base = ExperimentConfig(model: model, modelFingerprint: print, recipe: nil, evaluation: plan)
            if seen.insert(base.id).inserted { experiments.append(base) }
            var quantized: [(ExperimentConfig, Int)] = []   // (experiment, listing order)
            for (spec, methods) in specs {
                for method in methods {
                    for seed in seeds {
                        var recipe = method.recipe(spec: spec.description)
                        let label = "\(model) \(spec) \(recipe.methodLabel)"
                        if let problem = recipe.problem() ?? shapeProblem(spec, lorc: method.lorc, model: model, shape: modelShape) {
                            reject(Rejection(label: label, reason: problem))
                            continue
                        }
                        if try recipe.needsCalibration() {
                            if method.trueSequential != nil && !calibration.isSequential {
                                reject(Rejection(label: label, reason: "true_sequential is an option of sequential calibration (calibration.sequential: false)"))
                                continue
                            }
                            recipe.calibration = CalibrationSettings(corpus: calibration.corpus, samples: calibration.samples,
                                                                     length: calibration.length, seed: UInt64(seed),
                                                                     sequential: calibration.sequential,
                                                                     trueSequential: method.trueSequential ?? true)
                            if !calibration.isSequential, spec.activation.isQuantized && spec.activation.isStatic {
                                reject(Rejection(label: label, reason: "static activation ranges need sequential calibration (calibration.sequential: false)"))
                                continue
                            }
                            if let problem = recipe.problem() {   // options that conflict with the calibration (zq-global)
                                reject(Rejection(label: label, reason: problem))
                                continue
                            }
                        } else if method.trueSequential != nil {
                            reject(Rejection(label: label, reason: "true_sequential is a calibration option; this recipe does not calibrate"))
                            continue
                        }
                        let experiment = ExperimentConfig(model: model, modelFingerprint: print, recipe: recipe, evaluation: plan)
                        if seen.insert(experiment.id).inserted { quantized.append((experiment, quantized.count)) }
                    }
                }
            }
            // Uncalibrated recipes first, then grouped by calibration set (built once per group).
            let keyed = quantized.map { entry in
                (entry, entry.0.recipe?.calibration.map { "1 \($0.corpus) \($0.samples) \($0.length) \($0.seed)" } ?? "0")
            }
            experiments += keyed.sorted { a, b in a.1 != b.1 ? a.1 < b.1 : a.0.1 < b.0.1 }.map(\.0.0)
        }
        return StudyGrid(name: study.name, models: models, experiments: experiments, rejected: rejected)
    }

    /// The experiments of shard `index` of `count`: every count-th experiment of the run order,
    /// starting at `index` (deterministic for a given study file).
    public func shard(_ index: Int, of count: Int) -> [ExperimentConfig] {
        experiments.enumerated().filter { $0.offset % count == index }.map(\.element)
    }

    static func shapeProblem(_ spec: QuantSpec, lorc: Int?, model: String, shape: ModelShape?) -> String? {
        guard let shape else { return nil }
        return QuantRecipe.shapeProblem(spec.weight, lorcRank: lorc, model: model, minInFeatures: shape.minInFeatures,
                                        minDimension: shape.minDimension)
    }

    /// Each distinct spec with the methods its entries name (in order of first mention).
    static func expandSchemes(_ entries: [StudyFile.SchemeEntry], defaultMethods: [StudyFile.MethodEntry],
                              source: String) throws -> [(QuantSpec, [StudyFile.MethodEntry])] {
        var specs: [(QuantSpec, [StudyFile.MethodEntry])] = []
        var position: [QuantSpec: Int] = [:]   // index in specs (a linear search would be quadratic)
        var methods = defaultMethods
        func add(_ text: String, field: String) throws {
            do {
                // a llama.cpp mix (q4_k_m, …) is its base type with the mix named in each method
                let mix = LlamaCppMix(name: text)
                let spec = try mix.map { QuantSpec(weight: WeightScheme(ggml: $0.base)) } ?? QuantSpec.parse(text)
                let methods = mix.map { mix in methods.map { var m = $0; m.mix = mix.rawValue; return m } } ?? methods
                if let i = position[spec] {
                    specs[i].1 += methods
                } else {
                    position[spec] = specs.count
                    specs.append((spec, methods))
                }
            } catch {
                throw StudyError("\(source): \(field): '\(text)': \(error)")
            }
        }
        for (i, entry) in entries.enumerated() {
            let field = "schemes[\(i)]"
            methods = entry.methods?.values ?? defaultMethods
            let overrides = entry.overrides?.map(\.value) ?? []
            if !overrides.isEmpty || entry.embedding != nil || entry.lmHead != nil || entry.targetBpw != nil {
                methods = methods.map {
                    var m = $0; m.overrides = overrides; m.embedding = entry.embedding; m.head = entry.lmHead
                    m.targetBitsPerWeight = entry.targetBpw
                    return m
                }
            }
            if let list = entry.spec?.values {
                guard entry.bits == nil && entry.granularity == nil && entry.symmetry == nil && entry.activation == nil else {
                    throw StudyError("\(source): \(field): give either spec or bits/granularity/symmetry/activation, not both")
                }
                for text in list { try add(text, field: field + ".spec") }
                continue
            }
            guard let bits = entry.bits?.values, !bits.isEmpty else {
                throw StudyError("\(source): \(field): missing field 'bits' (or give 'spec')")
            }
            let granularities = entry.granularity?.values ?? ["row"]
            let symmetries = entry.symmetry?.values ?? ["asym"]
            for s in symmetries where s != "sym" && s != "asym" {
                throw StudyError("\(source): \(field).symmetry: expected sym or asym, got '\(s)'")
            }
            let activations = entry.activation?.values ?? ["a16"]
            let product = [bits.count, granularities.count, symmetries.count, activations.count]
                .reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
            guard product <= maximumExperiments else {
                throw StudyError("\(source): \(field): \(bits.count) bits × \(granularities.count) granularities × "
                    + "\(symmetries.count) symmetries × \(activations.count) activations is more than \(maximumExperiments) schemes")
            }
            for b in bits {
                for g in granularities {
                    for s in symmetries {
                        for a in activations {
                            let act = (a == "none" || a == "a16") ? "a16" : a
                            let parts = act.split(separator: "-", maxSplits: 1).map(String.init)
                            let prefix = parts[0], suffix = parts.count > 1 ? "-" + parts[1] : ""
                            try add("w\(b)\(prefix)-\(g)-\(s)\(suffix)", field: field)
                        }
                    }
                }
            }
        }
        return specs
    }

    static func calibrationDefaults(_ entry: StudyFile.CalibrationEntry?, source: String) throws -> CalibrationSettings {
        let c = CalibrationSettings(corpus: entry?.corpus ?? "wiki", samples: entry?.samples ?? 128, length: entry?.length ?? 512,
                                    sequential: entry?.sequential)
        guard Corpora.builtInNames.contains(c.corpus) else {
            throw StudyError("\(source): calibration.corpus: unknown corpus '\(c.corpus)' (corpora: \(Corpora.builtInNames.joined(separator: ", ")))")
        }
        guard c.samples > 0 else { throw StudyError("\(source): calibration.samples: must be positive, got \(c.samples)") }
        guard c.length > 1 else { throw StudyError("\(source): calibration.length: must be at least 2, got \(c.length)") }
        return c
    }

    static func evaluationPlan(_ e: StudyFile.EvaluationEntry, source: String) throws -> EvaluationPlan {
        let corpora = e.perplexity?.corpora.values ?? []
        let tasks = e.zeroShot?.tasks.values ?? []
        let kl = e.kl?.corpora.values ?? []
        for c in corpora + kl where !Corpora.builtInNames.contains(c) {
            throw StudyError("\(source): evaluation: unknown corpus '\(c)' (corpora: \(Corpora.builtInNames.joined(separator: ", ")))")
        }
        for t in tasks where !ZeroShotTasks.isZeroShotTask(t) || t.hasPrefix("file:") {
            throw StudyError("\(source): evaluation.zero_shot.tasks: unknown task '\(t)' (tasks: \(ZeroShotTasks.builtInNames.joined(separator: ", ")))")
        }
        guard !(corpora.isEmpty && tasks.isEmpty && kl.isEmpty) else {
            throw StudyError("\(source): evaluation: nothing to measure: give perplexity corpora, zero_shot tasks or kl corpora")
        }
        if let c = e.context, c < 2 { throw StudyError("\(source): evaluation.context: must be at least 2, got \(c)") }
        if let w = e.perplexity?.maxWindows, w <= 0 { throw StudyError("\(source): evaluation.perplexity.max_windows: must be positive") }
        if let w = e.kl?.maxWindows, w <= 0 { throw StudyError("\(source): evaluation.kl.max_windows: must be positive") }
        if let l = e.zeroShot?.limit, l <= 0 { throw StudyError("\(source): evaluation.zero_shot.limit: must be positive") }
        return EvaluationPlan(context: e.context, corpora: corpora, maxWindows: e.perplexity?.maxWindows,
                              zeroShotTasks: tasks, limit: e.zeroShot?.limit, subsetSeed: e.zeroShot?.subsetSeed ?? 0,
                              klCorpora: kl, klMaxWindows: e.kl?.maxWindows ?? e.perplexity?.maxWindows)
    }
}
