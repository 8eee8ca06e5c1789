import TensorCore

extension QuantizationSummary {
    /// This summary after a channel-scaling step that ran before the quantizer (AWQ, SmoothQuant):
    /// `stats` added to the named layers' statistics, the tensors it changed and its time.
    func adding(stats: [String: [String: Double]], changedTensors extra: [(name: String, tensor: Tensor)],
                seconds extraSeconds: Double) -> QuantizationSummary {
        let merged = layers.map { layer -> Layer in
            var result = layer.result
            for (key, value) in stats[layer.name] ?? [:] { result.stats[key] = value }
            return Layer(name: layer.name, result: result)
        }
        var out = QuantizationSummary(method: method, scheme: scheme, layers: merged, seconds: seconds + extraSeconds)
        out.changedTensors = changedTensors + extra
        out.tokenTables = tokenTables
        return out
    }
}
