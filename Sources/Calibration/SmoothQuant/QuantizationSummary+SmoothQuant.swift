extension QuantizationSummary {
    /// This summary with SmoothQuant's per-layer migration in each smoothed layer's statistics
    /// ("sq.max_scale": the largest s_j of its input group, "sq.activation_range_ratio": the
    /// input's max|X_j| spread, max_j / median_j, before smoothing; absent when the median is 0)
    /// and its time added.
    func merging(_ smoothing: SmoothQuantScaling.Result) -> QuantizationSummary {
        var stats: [String: [String: Double]] = [:]
        for group in smoothing.groups {
            let sorted = group.activationMax.sorted()
            let median = sorted[sorted.count / 2]
            var values = ["sq.max_scale": Double(group.scales.max() ?? 1)]
            if median > 0 { values["sq.activation_range_ratio"] = Double(sorted.last!) / Double(median) }
            for name in group.linears { stats[name] = values }
        }
        return adding(stats: stats, changedTensors: smoothing.changedTensors, seconds: smoothing.seconds)
    }
}
