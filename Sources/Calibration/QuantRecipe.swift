import Distillation
import Foundation
import Models
import Quantization

/// Everything that decides how a model's block linears are quantized: the spec, the method and
/// its options, and (when the method or a static activation range needs it) the calibration data.
/// Shared by `eval --quant`, `quantize`, `bench --gptq` and study experiments, so all of them
/// quantize identically.
public struct QuantRecipe: Codable, Hashable, Sendable {
    /// The methods a recipe can name.
    public static let methods = ["rtn", "gptq", "zq-local", "zq-global", "awq", "smoothquant", "imatrix"]

    /// Canonical spec text (`QuantSpec.description`), e.g. `w4a16-g128-asym`.
    public var spec: String
    /// rtn, gptq, zq-local, zq-global, awq (AWQ's scales and clipping, then RTN) or smoothquant
    /// (SmoothQuant's smoothing, then RTN).
    public var method: String
    /// GPTQ: columns in order of decreasing Hessian diagonal.
    public var actOrder: Bool
    /// RTN: MSE search of the clipping range instead of min/max.
    public var mseClip: Bool
    /// LoRC rank on top of the method, or nil.
    public var lorcRank: Int?
    /// Calibration windows; nil when nothing needs calibration (see `needsCalibration`).
    public var calibration: CalibrationSettings?
    /// GPTQ with groups: every group's parameters found up front (`static_groups`); nil = false.
    public var staticGroups: Bool?
    /// GPTQ relative damping (a fraction of mean diag H); nil = the default, 0.01.
    public var damping: Double?
    /// LoRC factor bits (per-row symmetric); nil = the default, 8; 16 = f16 factors.
    public var lorcFactorBits: Int?
    /// The symmetric grid of the weights (`full` or `narrow`, as `SymmetricGrid`); nil when the
    /// weights are asymmetric. Always written for symmetric specs, because rows written before the
    /// grid had a name (nil here) used the narrow grid under the same spec text.
    public var weightGrid: String?
    /// ZeroQuant-Global's knobs: always written for zq-global (nil for every other method).
    public var zqGlobal: ZeroQuantGlobalSettings?
    /// AWQ's knobs: always written for awq; for rtn, gptq and zq-local, AWQ's scales and clipping
    /// run first when set (`{name: gptq, awq: true}`); nil otherwise.
    public var awq: AWQSettings?
    /// SmoothQuant's knobs: always written for smoothquant; for rtn, gptq and zq-local, SmoothQuant's
    /// smoothing runs first when set (`{name: gptq, smoothquant: true}`); nil otherwise.
    public var smoothQuant: SmoothQuantSettings?
    /// Per-layer overrides (mixed precision), first match wins; nil: every block linear as `spec`.
    public var overrides: [LayerOverride]?
    /// Weight-only spec for the token embedding (round to nearest); nil: kept in full precision.
    public var embedding: String?
    /// Weight-only spec for the LM head (round to nearest); nil: kept in full precision. A tied
    /// head is the embedding: either spec quantizes both.
    public var head: String?
    /// A llama.cpp type mix (`q4_k_m`, `q3_k_m`, … — `LlamaCppMix`) given as the spec: `spec` is
    /// then its base type, `embedding`/`head` default to the mix's, and every block linear the
    /// mix's rules give another type gets it (after the recipe's own overrides). nil otherwise.
    public var mix: String?
    /// Per-tensor ggml types chosen under this size budget (bits per block-linear weight; see
    /// `SizeBudget`), replacing the mix's per-layer rules; nil otherwise.
    public var targetBitsPerWeight: Double?

    /// GPTQ's damping when the recipe names none.
    public static let defaultDamping = 0.01
    /// LoRC factor bits when the recipe names none.
    public static let defaultLoRCFactorBits = 8

    /// Options left at their defaults are stored as nil, so they stay out of experiment identities.
    public init(spec: String, method: String, actOrder: Bool = false, mseClip: Bool = false, lorcRank: Int? = nil,
                calibration: CalibrationSettings? = nil, staticGroups: Bool = false, damping: Double? = nil,
                lorcFactorBits: Int? = nil, zqGlobal: ZeroQuantGlobalSettings? = nil, awq: AWQSettings? = nil,
                smoothQuant: SmoothQuantSettings? = nil, overrides: [LayerOverride] = [],
                embedding: String? = nil, head: String? = nil, targetBitsPerWeight: Double? = nil) {
        var spec = spec, embedding = embedding, head = head
        if let mix = LlamaCppMix(name: spec) {
            self.mix = mix.rawValue
            spec = mix.base.rawValue
            embedding = embedding ?? mix.base.rawValue
            head = head ?? mix.output.rawValue
        }
        self.targetBitsPerWeight = targetBitsPerWeight
        self.spec = spec; self.method = method; self.actOrder = actOrder; self.mseClip = mseClip
        self.lorcRank = lorcRank; self.calibration = calibration
        self.staticGroups = staticGroups ? true : nil
        self.damping = damping == Self.defaultDamping ? nil : damping
        self.lorcFactorBits = lorcFactorBits == Self.defaultLoRCFactorBits ? nil : lorcFactorBits
        self.weightGrid = (try? QuantSpec.parse(spec)).flatMap { $0.weight.isQuantized ? $0.weight.gridName : nil }
        self.zqGlobal = method == "zq-global" ? zqGlobal ?? ZeroQuantGlobalSettings() : zqGlobal
        self.awq = method == "awq" ? awq ?? AWQSettings() : awq
        self.smoothQuant = method == "smoothquant" ? smoothQuant ?? SmoothQuantSettings() : smoothQuant
        self.overrides = overrides.isEmpty ? nil : overrides
        self.embedding = embedding.map { (try? QuantSpec.parse($0).description) ?? $0 }
        self.head = head.map { (try? QuantSpec.parse($0).description) ?? $0 }
    }

    /// The symmetric grid these weights use: the named one, or `narrow` for rows written before grids
    /// had names (nil for asymmetric weights).
    public var effectiveWeightGrid: String? {
        guard let spec = try? parsedSpec(), spec.weight.isQuantized, spec.weight.symmetric else { return nil }
        return weightGrid ?? SymmetricGrid.narrow.rawValue
    }

    /// Whether GPTQ finds group parameters up front.
    public var usesStaticGroups: Bool { staticGroups == true }
    /// GPTQ's damping for this recipe (nil for methods without damping).
    public var effectiveDamping: Double? { methodNeedsHessian && method == "gptq" ? damping ?? Self.defaultDamping : nil }
    /// LoRC factor bits for this recipe (nil without LoRC; 16 = f16 factors).
    public var effectiveLoRCFactorBits: Int? { lorcRank == nil ? nil : lorcFactorBits ?? Self.defaultLoRCFactorBits }

    /// The parsed spec, on the recipe's symmetric grid: a symmetric recipe without a grid name was
    /// written before grids had names and ran the narrow grid.
    public func parsedSpec() throws -> QuantSpec {
        var parsed = try QuantSpec.parse(spec)
        if parsed.weight.isQuantized && parsed.weight.symmetric { parsed.weight.symmetricGrid = weightGrid.flatMap(SymmetricGrid.init(rawValue:)) ?? .narrow }
        return parsed
    }

    /// The calibration in words, as this recipe's method uses it (zq-global trains whole blocks on
    /// the quantized blocks' outputs: neither true-sequential nor one probe per block applies).
    public var calibrationDescription: String? {
        guard let c = calibration else { return nil }
        guard method == "zq-global" else {
            if awq != nil { return c.description + "; AWQ's scales from the unquantized model's inputs" }
            if smoothQuant != nil { return c.description + "; SmoothQuant's max|X| from the unquantized model's inputs" }
            return c.description
        }
        return "\(c.corpus) calibration part, \(c.samples) × \(c.length) tokens, seed \(c.seed), "
            + "each block trained on the quantized blocks' outputs (every 8th window held out to choose the iterate)"
    }

    /// `gptq+act-order+static-groups+lorc8`: the method with every option that changes its result
    /// (`+no-true-seq`: sequential calibration with one probe per block).
    public var methodLabel: String {
        var label = method
        if actOrder { label += "+act-order" }
        if usesStaticGroups { label += "+static-groups" }
        if mseClip { label += "+mse-clip" }
        if let damping { label += "+damp\(damping)" }
        if let c = calibration, c.isSequential && !c.isTrueSequential && method != "zq-global" { label += "+no-true-seq" }
        if let z = zqGlobal { label += Self.zqGlobalLabel(z) }
        if let awq { label += (method == "awq" ? "" : "+awq") + awq.label }
        if let smoothQuant { label += (method == "smoothquant" ? "" : "+smoothquant") + smoothQuant.label }
        if let lorcRank {
            label += "+lorc\(lorcRank)"
            if let bits = lorcFactorBits { label += bits == 16 ? "-f16" : "-\(bits)bit" }
        }
        if let mix { label += "+llama.cpp-\(mix)" }
        if let targetBitsPerWeight { label += "+bpw\(targetBitsPerWeight)" }
        return label + Self.mixedPrecisionLabel(overrides: overrides, embedding: embedding, head: head)
    }

    /// `+mix[*.down_proj=w8a16-row-asym,*.{last}.*=w16a16]+embed[w8a16-row-sym]+head[…]`: the
    /// per-layer overrides and token-table specs, "" without them (result rows label the same way).
    public static func mixedPrecisionLabel(overrides: [LayerOverride]?, embedding: String?, head: String?) -> String {
        var label = ""
        if let overrides, !overrides.isEmpty { label += "+mix[" + overrides.map(\.description).joined(separator: ",") + "]" }
        if let embedding { label += "+embed[\(embedding)]" }
        if let head { label += "+head[\(head)]" }
        return label
    }

    /// Methods that quantize by round to nearest (awq and smoothquant after their scales): they
    /// build no Hessian, and RTN's clipping search is theirs.
    static let roundToNearestMethods: Set<String> = ["rtn", "awq", "smoothquant"]

    /// The per-layer method an override runs: its own, or the recipe's (rtn under awq and smoothquant).
    func layerMethod(of override: LayerOverride) -> String {
        override.method ?? (method == "awq" || method == "smoothquant" ? "rtn" : method)
    }

    /// The methods this recipe runs on some layer: its own and its overrides'.
    var layerMethods: [String] { [method] + (overrides ?? []).map(layerMethod(of:)) }

    /// `+steps200+lr0.1+batch8+learn-scales+seed1+logit25`: the ZeroQuant-Global knobs that differ from the defaults.
    public static func zqGlobalLabel(_ z: ZeroQuantGlobalSettings) -> String {
        let d = ZeroQuantGlobalSettings()
        var label = ""
        if z.steps != d.steps { label += "+steps\(z.steps)" }
        if z.learningRate != d.learningRate { label += "+lr\(z.learningRate)" }
        if z.batch != d.batch { label += "+batch\(z.batch)" }
        if z.learnScales { label += "+learn-scales" }
        if z.learnScales && z.scaleLearningRate != d.scaleLearningRate { label += "+scale-lr\(z.scaleLearningRate)" }
        if z.seed != d.seed { label += "+seed\(z.seed)" }
        if z.logitSteps > 0 {
            label += "+logit\(z.logitSteps)"
            if z.logitLearningRate != d.logitLearningRate { label += "+logit-lr\(z.logitLearningRate)" }
        }
        return label
    }

    /// Whether the method needs Hessians from calibration data (awq and smoothquant quantize by RTN
    /// after their scales: they calibrate, but build no Hessian).
    public var methodNeedsHessian: Bool { layerMethods.contains { !Self.roundToNearestMethods.contains($0) } }

    /// Whether this recipe quantizes from calibration data (Hessians, or static activation ranges).
    public func needsCalibration() throws -> Bool {
        let parsed = try parsedSpec()
        let overrideSpecs = try (overrides ?? []).map { try QuantSpec.parse($0.spec) }
        return methodNeedsHessian || awq != nil || smoothQuant != nil || targetBitsPerWeight != nil
            || ([parsed] + overrideSpecs).contains { $0.activation.isQuantized && $0.activation.isStatic }
    }

    /// Why this recipe cannot run, or nil: an unknown method, an option of another method, a bad spec.
    public func problem() -> String? {
        let parsed: QuantSpec
        do { parsed = try parsedSpec() } catch { return "\(spec): \(error)" }
        for override in overrides ?? [] { if let problem = override.problem { return problem } }
        if let problem = Self.tokenTableProblem(embedding, role: "embedding") ?? Self.tokenTableProblem(head, role: "LM head") { return problem }
        if !parsed.weight.isQuantized && !parsed.activation.isQuantized && (overrides ?? []).isEmpty {
            return "\(spec) quantizes nothing (that is the base model); give per-layer overrides, or quantize weights or activations"
        }
        if !parsed.weight.isQuantized {
            if awq != nil { return "AWQ searches scales for weight quantization; \(spec) keeps the weights in full precision" }
            if method == "zq-global" { return "zq-global trains quantized weights; \(spec) keeps the weights in full precision" }
        }
        if method == "zq-global" && overrides != nil { return "per-layer overrides are not supported with zq-global (it trains whole blocks with one scheme)" }
        guard Self.methods.contains(method) else { return "unknown method '\(method)' (methods: \(Self.methods.joined(separator: ", ")))" }
        if parsed.weight.blockGrid != nil && method == "zq-global" {
            return "zq-global trains blocks on integer grids; ggml's \(parsed.weight.blockGrid!.name) grid takes rtn, imatrix, gptq, zq-local or awq"
        }
        if let target = targetBitsPerWeight {
            if parsed.weight.blockGrid == nil { return "--target-bpw chooses ggml types per tensor: give a ggml spec or mix (q4_k, q4_k_m, …)" }
            if !(target > 0 && target <= 16) { return "--target-bpw must be in (0, 16], got \(target)" }
            if method == "zq-global" || awq != nil || smoothQuant != nil { return "--target-bpw composes with rtn, imatrix, gptq and zq-local" }
        }
        if method == "imatrix" && parsed.weight.blockGrid == nil {
            return "imatrix is ggml's importance-weighted search on a ggml block type: give a ggml spec (q4_k, q3_k, q4_0, …)"
        }
        if actOrder && method != "gptq" { return "act-order is a GPTQ option; \(method) has no column order" }
        if mseClip && !Self.roundToNearestMethods.contains(method) { return "mse-clip is an RTN option; \(method) chooses its own grid" }
        if let lorcRank, lorcRank <= 0 { return "LoRC rank must be positive, got \(lorcRank)" }
        if usesStaticGroups && method != "gptq" { return "static groups is a GPTQ option; \(method) has no column order" }
        if damping != nil && method != "gptq" { return "damping is a GPTQ option; \(method) does not invert a Hessian" }
        if let damping, !(damping > 0 && damping < 1) { return "damping must be in (0, 1), got \(damping)" }
        if lorcFactorBits != nil && lorcRank == nil { return "LoRC factor bits need a LoRC rank" }
        if let bits = lorcFactorBits, !(WeightScheme.bitRange.contains(bits) || bits == 16) {
            return "LoRC factor bits must be 2…8 or 16 (f16), got \(bits)"
        }
        if let awq {
            if let problem = awq.problem { return problem }
            if method == "zq-global" { return "AWQ before zq-global is not supported (AWQ composes with rtn, gptq and zq-local)" }
            if calibration?.isSequential == false {
                return "AWQ changes every layer's inputs: the unquantized model's shared Hessians do not apply (use sequential calibration)"
            }
        }
        if let smoothQuant {
            if let problem = smoothQuant.problem { return problem }
            if awq != nil { return "SmoothQuant and AWQ both rescale the same input channels: choose one" }
            if method == "zq-global" { return "SmoothQuant before zq-global is not supported (SmoothQuant composes with rtn, gptq and zq-local)" }
            if calibration?.isSequential == false {
                return "SmoothQuant changes the smoothed layers' inputs: the unquantized model's shared Hessians do not apply (use sequential calibration)"
            }
        }
        if zqGlobal != nil && method != "zq-global" { return "zq-global settings are ZeroQuant-Global options; \(method) does not distill" }
        if method == "zq-global" {
            if let problem = zqGlobal?.problem { return problem }
            if lorcRank != nil { return "LoRC on top of zq-global is not supported (LoRC composes with rtn, gptq and zq-local)" }
            if calibration?.isSequential == false { return "zq-global is sequential by construction: each block trains on the quantized blocks' outputs" }
            if calibration?.trueSequential == false { return "true-sequential is an option of per-layer calibration; zq-global trains whole blocks" }
            if let parsed = try? parsedSpec(), parsed.activation.isQuantized && parsed.activation.isStatic {
                return "zq-global trains with dynamic activation quantization; static activation ranges are not supported"
            }
        }
        if let grid = weightGrid {
            guard SymmetricGrid(rawValue: grid) != nil else { return "unknown weight grid '\(grid)' (full or narrow)" }
            if let text = try? QuantSpec.parse(spec), text.weight.gridName != grid {
                return "\(spec): the spec's grid (\(text.weight.gridName ?? "asymmetric")) is not the recipe's (\(grid))"
            }
        }
        return nil
    }

    /// What makes a recipe meaningless on a model whose block linears have `minInFeatures` as
    /// their narrowest input and `minDimension` as their smallest dimension (nil when it fits):
    /// a group as wide as a row is per-row quantization under another name, and a LoRC rank at
    /// the smallest dimension stores the whole error. Studies and single runs check the same.
    public static func shapeProblem(_ weight: WeightScheme, lorcRank: Int?, model: String, minInFeatures: Int,
                                    minDimension: Int) -> String? {
        // a ggml block type is a storage format, not a group size chosen for the study: its
        // sub-blocks may span a tiny model's whole rows (the quantizer refuses rows its blocks do not fit)
        if weight.blockGrid == nil, case .group(let k) = weight.granularity, k >= minInFeatures {
            return "group size \(k) is not smaller than the narrowest linear input of \(model) (\(minInFeatures)): it would be per-row quantization under another name"
        }
        if let lorcRank, lorcRank >= minDimension {
            return "LoRC rank \(lorcRank) is not below the smallest linear dimension of \(model) (\(minDimension)): the correction would store the whole error"
        }
        return nil
    }

    /// The weight quantizer this recipe names.
    public func makeQuantizer() throws -> any WeightQuantizer {
        if let problem = problem() { throw CalibrationSet.Failure(message: problem) }
        return try makeQuantizer(method: method)
    }

    /// The quantizer of `method` with this recipe's options (act-order and damping for GPTQ, the
    /// clipping search for RTN, LoRC on top).
    func makeQuantizer(method: String) throws -> any WeightQuantizer {
        var quantizer: any WeightQuantizer
        switch method {
        case "rtn", "awq", "smoothquant": quantizer = RTNQuantizer(clip: mseClip ? ClipSearch() : nil)
        case "zq-global":
            throw CalibrationSet.Failure(message: "zq-global trains whole blocks: it has no per-layer quantizer (use run(on:))")
        case "imatrix": quantizer = ImatrixQuantizer()
        case "gptq": quantizer = GPTQQuantizer(damping: Float(damping ?? Self.defaultDamping), actOrder: actOrder,
                                               staticGroups: usesStaticGroups)
        default: quantizer = ZeroQuantLocalQuantizer()
        }
        if let lorcRank {
            let bits = lorcFactorBits ?? Self.defaultLoRCFactorBits
            quantizer = LoRCQuantizer(base: quantizer, rank: lorcRank, factorBits: bits == 16 ? nil : bits)
        }
        return quantizer
    }

    /// Quantizes the model's block linears in place (sequential, block by block).
    /// With `baseHessians` (required when `calibration.sequential == false` and the method needs
    /// Hessians), no calibration pass runs. `storedBlocks`: the checkpoint's ggml blocks, kept for
    /// the layers (and token tables) already stored in the type the recipe gives them, as
    /// llama-quantize does (ignored after AWQ or SmoothQuant, which change the weights first).
    public func run(on model: any BlockwiseLanguageModel, calibration windows: CalibrationSet?,
                    baseHessians: BaseModelHessians? = nil, storedBlocks: StoredWeightBlocks? = nil,
                    progress: ((_ block: Int, _ blocks: Int) -> Void)? = nil) throws -> QuantizationSummary {
        let parsed = try parsedSpec()
        // Channel scaling (AWQ or SmoothQuant) first: its blocks are the first half of the progress.
        func scaling(_ name: String) throws -> (model: any ChannelScalableModel, windows: [[Int32]], progress: (Int, Int) -> Void) {
            if let problem = problem() { throw CalibrationSet.Failure(message: problem) }
            guard let scalable = model as? any ChannelScalableModel else {
                throw CalibrationSet.Failure(message: "\(name) needs to fold scales into \(model.architecture)'s norms and linears, which PTQLab does not know")
            }
            guard let windows = windows?.windows, !windows.isEmpty else { throw CalibrationSet.Failure(message: "\(name) needs calibration data") }
            let blocks = model.blockCount
            return (scalable, windows, { done, _ in progress?(done, 2 * blocks) })
        }
        var awqResult: ActivationAwareScaling.Result? = nil
        if let awq {
            let s = try scaling("AWQ")
            awqResult = try ActivationAwareScaling(settings: awq, scheme: parsed.weight).run(model: s.model, windows: s.windows, progress: s.progress)
        }
        var smoothing: SmoothQuantScaling.Result? = nil
        if let smoothQuant {
            let s = try scaling("SmoothQuant")
            smoothing = try SmoothQuantScaling(settings: smoothQuant).run(model: s.model, windows: s.windows, progress: s.progress)
        }
        let scaled = awqResult != nil || smoothing != nil
        let stored = scaled ? nil : storedBlocks
        var allocation: [String: GGMLBlockGrid]? = nil
        if let target = targetBitsPerWeight {
            if let problem = problem() { throw CalibrationSet.Failure(message: problem) }
            guard let windows, !windows.windows.isEmpty else { throw CalibrationSet.Failure(message: "--target-bpw needs calibration data") }
            let hessians = try baseHessians ?? BaseModelHessians(model: model, calibration: windows)
            let probe = Array(windows.windows.prefix(SizeBudget.measureWindows))
            allocation = try SizeBudget(model: model, hessians: hessians, windows: probe, storedBlocks: stored)
                .allocate(targetBitsPerWeight: target)
        }
        let summary = try quantizeScaled(on: model, parsed: parsed, calibration: windows, baseHessians: baseHessians,
                                         scalingBlocks: scaled ? model.blockCount : 0, allocation: allocation,
                                         storedBlocks: stored, progress: progress)
        var out = summary
        if let awqResult { out = summary.merging(awqResult) }
        if let smoothing { out = summary.merging(smoothing) }
        out.tokenTables = try quantizeTokenTables(on: model, storedBlocks: stored)
        return out
    }

    private func quantizeScaled(on model: any BlockwiseLanguageModel, parsed: QuantSpec, calibration windows: CalibrationSet?,
                                baseHessians: BaseModelHessians?, scalingBlocks: Int, allocation: [String: GGMLBlockGrid]?,
                                storedBlocks: StoredWeightBlocks?,
                                progress: ((_ block: Int, _ blocks: Int) -> Void)?) throws -> QuantizationSummary {
        let progress: ((Int, Int) -> Void)? = progress.map { report in { done, blocks in report(scalingBlocks + done, scalingBlocks + blocks) } }
        if method == "zq-global" {
            if let problem = problem() { throw CalibrationSet.Failure(message: problem) }
            return try runZeroQuantGlobal(on: model, scheme: parsed, calibration: windows, progress: progress)
        }
        var pipeline = SequentialQuantization(plan: try layerPlan(for: model, parsed: parsed, allocation: allocation),
                                              trueSequential: calibration?.isTrueSequential ?? false)
        pipeline.storedBlocks = storedBlocks
        if calibration?.isSequential == false && methodNeedsHessian && baseHessians == nil {
            throw CalibrationSet.Failure(message: "non-sequential calibration needs the base model's Hessians")
        }
        return try pipeline.run(model: model, calibration: pipeline.needsCalibration ? windows : nil,
                                baseHessians: calibration?.isSequential == false ? baseHessians : nil, progress: progress)
    }
}

extension QuantRecipe {
    /// Each block linear's scheme and method: the recipe's, or the first matching override's. An
    /// override that matches no linear of the model is an error (a typo, or another family's names).
    func layerPlan(for model: any BlockwiseLanguageModel, parsed: QuantSpec, allocation: [String: GGMLBlockGrid]? = nil) throws -> LayerPlan {
        if let problem = problem() { throw CalibrationSet.Failure(message: problem) }
        func choice(_ spec: QuantSpec, _ m: String) throws -> LayerPlan.Choice {
            LayerPlan.Choice(weight: spec.weight, activation: spec.activation, quantizer: try makeQuantizer(method: m),
                             needsHessian: !Self.roundToNearestMethods.contains(m))
        }
        let base = try choice(parsed, method)
        var overridden = try (overrides ?? []).map { o in (pattern: LayerPattern(o.pattern), choice: try choice(QuantSpec.parse(o.spec), layerMethod(of: o))) }
        if let allocation {
            // the size budget's per-tensor types, after the recipe's own overrides
            for b in 0..<model.blockCount {
                for linear in model.linears(ofBlock: b) {
                    if let type = allocation[linear.name] {
                        overridden.append((LayerPattern(linear.name), try choice(QuantSpec(weight: WeightScheme(ggml: type)), method)))
                    }
                }
            }
        } else if let mix = mix.flatMap(LlamaCppMix.init(name:)) {
            // the mix's per-tensor types, as exact-name overrides after the recipe's own
            let first = model.linears(ofBlock: 0)
            let q = first.first { $0.name.hasSuffix("q_proj") }?.outFeatures, v = first.first { $0.name.hasSuffix("v_proj") }?.outFeatures
            let gqa = (q != nil && v != nil && v! > 0) ? q! / v! : 1
            for b in 0..<model.blockCount {
                for linear in model.linears(ofBlock: b) {
                    let type = mix.type(ofLinear: linear.name, block: b, blocks: model.blockCount, gqa: gqa)
                    if type != mix.base {
                        overridden.append((LayerPattern(linear.name), try choice(QuantSpec(weight: WeightScheme(ggml: type)), method)))
                    }
                }
            }
        }
        let plan = LayerPlan(base: base, overrides: overridden, blocks: model.blockCount)
        let names = (0..<model.blockCount).flatMap { model.linears(ofBlock: $0).map(\.name) }
        if let unmatched = plan.unmatchedPatterns(among: names).first {
            throw CalibrationSet.Failure(message: "override '\(unmatched)' matches no linear of \(model.architecture) (its names look like \(names.first ?? "?"))")
        }
        return plan
    }

    /// ZeroQuant-Global: block distillation on the calibration windows (see `ZeroQuantGlobal`).
    func runZeroQuantGlobal(on model: any BlockwiseLanguageModel, scheme: QuantSpec, calibration: CalibrationSet?,
                            progress: ((_ block: Int, _ blocks: Int) -> Void)?) throws -> QuantizationSummary {
        guard let distillable = model as? any DistillableModel else {
            throw CalibrationSet.Failure(message: "zq-global needs the backward pass of \(model.architecture)'s blocks, which PTQLab does not have (it has Llama, SmolLM2, Mistral, Qwen2, Gemma 3, OPT, GPT-2, BLOOM and GPT-NeoX)")
        }
        guard let windows = calibration?.windows, !windows.isEmpty else {
            throw CalibrationSet.Failure(message: "zq-global needs calibration data")
        }
        let start = Date()
        let method = ZeroQuantGlobal(settings: zqGlobal ?? ZeroQuantGlobalSettings(), scheme: scheme.weight,
                                     activation: scheme.activation)
        let results: [ZeroQuantGlobal.Result]
        do {
            results = try method.run(model: distillable, windows: windows, progress: progress)
        } catch let failure as ZeroQuantGlobal.Failure {
            throw CalibrationSet.Failure(message: failure.description)
        }
        return QuantizationSummary(method: "zq-global", scheme: scheme.weight,
                                   layers: results.map { .init(name: $0.name, result: $0.weight) },
                                   seconds: Date().timeIntervalSince(start))
    }
}

/// Which calibration windows a recipe draws: `samples` windows of `length` tokens from the
/// calibration part of `corpus`, chosen with `seed`.
public struct CalibrationSettings: Codable, Hashable, Sendable, CustomStringConvertible {
    public var corpus: String
    public var samples: Int
    public var length: Int
    public var seed: UInt64
    /// nil or true: GPTQ's sequential procedure (each block calibrated on the outputs of the
    /// already-quantized blocks). false: every Hessian from the unquantized model, computed once
    /// and shared by all recipes with these settings (`BaseModelHessians`).
    public var sequential: Bool?
    /// Sequential calibration only: true = GPTQ's true-sequential order inside each block (attention
    /// inputs, then attention output, then MLP inputs, then MLP output, each group's inputs taken
    /// from the already-quantized groups before it); false = one probe of the block with its
    /// unquantized weights gives every layer's inputs. Always written (true or false) when
    /// sequential: rows written before the option existed have nil and ran one probe per block.
    public var trueSequential: Bool?

    public init(corpus: String = "wiki", samples: Int = 128, length: Int = 512, seed: UInt64 = 0, sequential: Bool? = nil,
                trueSequential: Bool = true) {
        self.corpus = corpus; self.samples = samples; self.length = length; self.seed = seed
        self.sequential = sequential == false ? false : nil   // the default stays out of identities
        self.trueSequential = sequential == false ? nil : trueSequential
    }

    /// Whether each block runs in true-sequential order (rows without the field: one probe).
    public var isTrueSequential: Bool { isSequential && trueSequential == true }

    public var isSequential: Bool { sequential != false }

    public var description: String {
        "\(corpus) calibration part, \(samples) × \(length) tokens, seed \(seed)"
            + (isSequential ? (isTrueSequential ? ", true-sequential" : ", one probe per block")
                            : ", Hessians of the unquantized model (non-sequential)")
    }
}
