/// What a quantization method did layer by layer that the numbers alone do not show: GPTQ raising
/// its damping after a failed Cholesky factorisation, dead input columns, ZeroQuant-local keeping
/// the RTN start because no step improved it, how much of the error LoRC kept. Kept in every
/// experiment's row and flagged in reports.
public struct QuantizationDiagnostics: Codable, Sendable, Equatable {
    /// One quantized linear's facts (nil where its method has no such number).
    public struct Layer: Codable, Sendable, Equatable {
        public var name: String
        /// The method's objective on this layer (GPTQ's ½Σ(w−q)²/U_jj², ZQ-local's final loss).
        public var loss: Double?
        /// GPTQ: relative damping used (a fraction of mean diag H), and how many times it was raised.
        public var damping: Double?
        public var dampingRetries: Int?
        /// GPTQ: inputs that never fired (H_ii = 0; their weights are zeroed).
        public var deadColumns: Int?
        /// ZeroQuant-local: updates made, and whether the result is still the RTN start.
        public var zqSteps: Int?
        public var zqKeptRTN: Bool?
        /// LoRC: share of the error's energy (Σσ²) its rank keeps.
        public var lorcEnergy: Double?
        /// ZeroQuant-Global (per block, repeated on its linears): the block's output MSE over the
        /// calibration windows at RTN, and relative to the target's mean square after training.
        public var blockLossRTN: Double?
        public var blockLossRelative: Double?
        /// ZeroQuant-Global's whole-model logit pass (the same on every linear): mean KL per token
        /// on the held-out calibration windows after the block stage, at the iterate kept, and that
        /// iterate's step (0: the pass did not improve on the block stage).
        public var logitKLBefore: Double?
        public var logitKLFinal: Double?
        public var logitBestStep: Int?
        /// AWQ: the exponent α of the layer's input-group scales (nil: unscaled), and the mean
        /// clipping shrink 1 − bound/max|w| over its groups (nil: not clipped).
        public var awqRatio: Double?
        public var awqClipShrink: Double?
        /// SmoothQuant: the largest smoothing scale s_j of the layer's input group, and the input's
        /// max|X_j| spread before smoothing (largest channel over the median one); nil: not smoothed.
        public var sqMaxScale: Double?
        public var sqActivationRangeRatio: Double?

        enum CodingKeys: String, CodingKey {
            case name, loss, damping
            case dampingRetries = "damping_retries", deadColumns = "dead_columns", zqSteps = "zq_steps"
            case zqKeptRTN = "zq_kept_rtn", lorcEnergy = "lorc_energy"
            case blockLossRTN = "block_loss_rtn", blockLossRelative = "block_loss_relative"
            case logitKLBefore = "logit_kl_before", logitKLFinal = "logit_kl_final", logitBestStep = "logit_best_step"
            case awqRatio = "awq_ratio", awqClipShrink = "awq_clip_shrink"
            case sqMaxScale = "sq_max_scale", sqActivationRangeRatio = "sq_activation_range_ratio"
        }

        /// Reads a layer's method statistics (`QuantizedWeight.stats`).
        public init(name: String, stats: [String: Double]) {
            self.name = name
            loss = stats["gptq.loss"] ?? stats["zq.loss_final"] ?? stats["zqg.loss_final"]
            damping = stats["gptq.damping"]
            dampingRetries = stats["gptq.dampingRetries"].map { Int($0) }
            deadColumns = stats["gptq.deadColumns"].map { Int($0) }
            zqSteps = (stats["zq.steps"] ?? stats["zqg.steps"]).map { Int($0) }
            zqKeptRTN = stats["zq.best_step"].map { $0 == 0 } ?? stats["zqg.kept"].map { $0 == 0 }
            blockLossRTN = stats["zqg.loss_rtn"]
            blockLossRelative = stats["zqg.loss_relative_final"]
            lorcEnergy = stats["lorc.energy"]
            logitKLBefore = stats["zqg.logit_kl_before"]
            logitKLFinal = stats["zqg.logit_kl_final"]
            logitBestStep = stats["zqg.logit_best_step"].map { Int($0) }
            awqRatio = stats["awq.ratio"]
            awqClipShrink = stats["awq.clip_shrink"]
            sqMaxScale = stats["sq.max_scale"]
            sqActivationRangeRatio = stats["sq.activation_range_ratio"]
        }
    }

    public var layers: [Layer]

    public init(layers: [Layer]) { self.layers = layers }

    /// From a quantization run's per-layer results.
    public init(_ summary: QuantizationSummary) {
        layers = summary.layers.map { Layer(name: $0.name, stats: $0.stats) }
    }

    /// Layers where GPTQ had to raise its damping.
    public var dampingRaised: [Layer] { layers.filter { ($0.dampingRetries ?? 0) > 0 } }
    /// Layers with dead input columns.
    public var deadColumnLayers: [Layer] { layers.filter { ($0.deadColumns ?? 0) > 0 } }
    /// ZeroQuant-local layers whose result is the RTN start.
    public var keptRTN: [Layer] { layers.filter { $0.zqKeptRTN == true } }
    /// LoRC's retained energy: (mean, min) over layers, nil without LoRC.
    public var lorcEnergy: (mean: Double, min: Double)? {
        let values = layers.compactMap(\.lorcEnergy)
        guard !values.isEmpty else { return nil }
        return (values.reduce(0, +) / Double(values.count), values.min()!)
    }

    /// One line per noteworthy fact, e.g. `GPTQ raised damping on 2 of 210 layers (up to 1.0 × mean diag H): model.layers.3.mlp.down_proj, …`.
    public var notes: [String] {
        var out: [String] = []
        func names(_ list: [Layer]) -> String {
            let shown = list.prefix(3).map(\.name).joined(separator: ", ")
            return list.count > 3 ? shown + ", … (\(list.count - 3) more)" : shown
        }
        let raised = dampingRaised
        if !raised.isEmpty {
            let top = raised.compactMap(\.damping).max() ?? 0
            out.append("GPTQ raised damping on \(raised.count) of \(layers.count) layers (up to \(top) × mean diag H): \(names(raised))")
        }
        let dead = deadColumnLayers
        if !dead.isEmpty {
            let columns = dead.reduce(0) { $0 + ($1.deadColumns ?? 0) }
            out.append("\(columns) dead input columns (never active in calibration; weights zeroed) in \(dead.count) layers: \(names(dead))")
        }
        let kept = keptRTN
        if !kept.isEmpty {
            let global = kept.contains { $0.blockLossRTN != nil }
            out.append(global
                ? "ZeroQuant-Global kept RTN on \(kept.count) of \(layers.count) layers (training did not lower their block's loss): \(names(kept))"
                : "ZeroQuant-local kept the RTN start on \(kept.count) of \(layers.count) layers (no step lowered the loss): \(names(kept))")
        }
        if let layer = layers.first(where: { $0.logitKLBefore != nil }), let before = layer.logitKLBefore,
           let after = layer.logitKLFinal {
            out.append(layer.logitBestStep == 0
                ? String(format: "ZeroQuant-Global's logit pass did not lower the held-out KL (%.4f); the block stage's weights are kept", before)
                : String(format: "ZeroQuant-Global's logit pass: held-out KL %.4f → %.4f (step %d kept)", before, after,
                         layer.logitBestStep ?? 0))
        }
        let ratios = layers.compactMap(\.awqRatio), shrinks = layers.compactMap(\.awqClipShrink)
        if !ratios.isEmpty || !shrinks.isEmpty {
            let unscaled = layers.count - ratios.count
            var line = String(format: "AWQ scaled %d of %d layers (mean α %.2f, %d at α = 0)", ratios.count, layers.count,
                              ratios.reduce(0, +) / Double(max(ratios.count, 1)), ratios.filter { $0 == 0 }.count)
            if unscaled > 0 { line += "; \(unscaled) left unscaled (their input cannot take folded scales)" }
            if !shrinks.isEmpty {
                line += String(format: "; clipped %d layers, mean shrink %.1f%%", shrinks.count,
                               100 * shrinks.reduce(0, +) / Double(shrinks.count))
            }
            out.append(line)
        }
        let spreads = layers.compactMap(\.sqActivationRangeRatio)
        if !spreads.isEmpty {
            out.append(String(format: "SmoothQuant smoothed %d of %d layers (their inputs' largest channel was up to %.0f× the median one)",
                              spreads.count, layers.count, spreads.max() ?? 0))
        }
        if let energy = lorcEnergy {
            out.append(String(format: "LoRC kept %.1f%% of the quantization error's energy on average (least: %.1f%%)",
                              100 * energy.mean, 100 * energy.min))
        }
        return out
    }
}
