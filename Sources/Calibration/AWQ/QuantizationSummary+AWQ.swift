extension QuantizationSummary {
    /// This summary with AWQ's per-layer choices in each layer's statistics ("awq.ratio": the
    /// exponent of its input group's scales, absent when unscaled; "awq.clip_shrink": the mean
    /// clipping shrink) and AWQ's time added.
    func merging(_ awq: ActivationAwareScaling.Result) -> QuantizationSummary {
        var stats: [String: [String: Double]] = [:]
        for group in awq.groups { if let ratio = group.ratio { for name in group.linears { stats[name, default: [:]]["awq.ratio"] = ratio } } }
        for (name, shrink) in awq.clipShrink { stats[name, default: [:]]["awq.clip_shrink"] = shrink }
        return adding(stats: stats, changedTensors: awq.changedTensors, seconds: awq.seconds)
    }
}
