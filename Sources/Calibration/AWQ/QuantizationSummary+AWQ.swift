extension QuantizationSummary {
    /// This summary with AWQ's per-layer choices in each layer's statistics ("awq.ratio": the
    /// exponent of its input group's scales, absent when unscaled; "awq.clip_shrink": the mean
    /// clipping shrink) and AWQ's time added.
    func merging(_ awq: ActivationAwareScaling.Result) -> QuantizationSummary {
        var ratios: [String: Double] = [:]
        for group in awq.groups { if let ratio = group.ratio { for name in group.linears { ratios[name] = ratio } } }
        let merged = layers.map { layer -> Layer in
            var result = layer.result
            if let ratio = ratios[layer.name] { result.stats["awq.ratio"] = ratio }
            if let shrink = awq.clipShrink[layer.name] { result.stats["awq.clip_shrink"] = shrink }
            return Layer(name: layer.name, result: result)
        }
        var out = QuantizationSummary(method: method, scheme: scheme, layers: merged, seconds: seconds + awq.seconds)
        out.changedTensors = changedTensors + awq.changedTensors
        return out
    }
}
