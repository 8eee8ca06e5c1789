import TensorCore

/// A model whose linear inputs can be rescaled per channel without changing what it computes:
/// for a group of linears reading the same input, the input's channel j is divided by s_j where
/// that input is made (a norm's weight and bias, or the rows of the linear that feeds it) and the
/// group's weight columns j are multiplied by s_j. AWQ and SmoothQuant are built on this.
public protocol ChannelScalableModel: BlockwiseLanguageModel {
    /// The input groups of block `index` in execution order (the attention's input, its output
    /// projection's input, the MLP's input, its output projection's input), each with where its
    /// scales fold, or why they cannot.
    func channelScaleGroups(ofBlock index: Int) -> [ChannelScaleGroup]
}

/// Linears that read one input, and where a per-channel scale of that input can be folded.
public struct ChannelScaleGroup {
    /// Where the input is made.
    public enum Source {
        /// A norm's output: y = norm(x) · (offset + weight) (+ bias). Gemma's RMSNorm has offset 1.
        case norm(name: String, weight: Tensor, bias: Tensor?, offset: Float)
        /// The output rows `rows` of a linear (with nothing between, or only an activation that
        /// commutes with positive scales, such as ReLU), in input-channel order.
        case linear(Linear, rows: Range<Int>)

        /// A LayerNorm's output (weight and bias).
        public static func layerNorm(_ n: LayerNormWeights) -> Source {
            .norm(name: n.name, weight: n.weight, bias: n.bias, offset: 0)
        }
    }
    /// What the group is in the block (AWQ skips clipping the attention's input group, whose error
    /// goes through q·kᵀ).
    public enum Role: String, Sendable {
        case attentionInput, attentionOutput, mlpInput, mlpOutput
    }

    public let role: Role
    public let linears: [Linear]
    /// nil when the scales cannot be folded (`unfoldableReason` says why).
    public let source: Source?
    public let unfoldableReason: String?
    /// The linear whose output closes the sub-module this group feeds (o_proj for the attention's
    /// input group, down_proj for the MLP's): AWQ measures that output. nil: the group's own output.
    public let subModuleOutput: Linear?
    /// `subModuleOutput`'s input computed straight from the group's input x (rows, in) of
    /// `windows` windows of `tokens` tokens, with the current weights (the attention's context from
    /// q/k/v's input; the MLP's activation from gate/up's). nil: measured by running the whole block.
    public let subModuleInput: ((_ x: Tensor, _ windows: Int, _ tokens: Int) -> Tensor)?

    public init(role: Role, linears: [Linear], source: Source, subModuleOutput: Linear? = nil,
                subModuleInput: ((_ x: Tensor, _ windows: Int, _ tokens: Int) -> Tensor)? = nil) {
        self.role = role; self.linears = linears; self.source = source
        self.unfoldableReason = nil; self.subModuleOutput = subModuleOutput; self.subModuleInput = subModuleInput
    }

    public init(role: Role, linears: [Linear], unfoldable reason: String) {
        self.role = role; self.linears = linears; self.source = nil
        self.unfoldableReason = reason; self.subModuleOutput = nil; self.subModuleInput = nil
    }

    /// The linears whose output goes through the attention scores q·kᵀ (q, k, and a fused q|k|v):
    /// llm-awq does not clip them. v_proj alone is clipped.
    public var scoreLinears: [Linear] {
        role == .attentionInput ? linears.filter { !$0.name.hasSuffix("v_proj") } : []
    }

    /// o_proj's group, folded into v_proj's rows when the two have the same shape; under
    /// grouped-query attention each v_proj row feeds several heads' o_proj columns, and llm-awq
    /// leaves o_proj unscaled.
    public static func attentionOutput(v: Linear, o: Linear) -> ChannelScaleGroup {
        v.weight.shape == o.weight.shape
            ? .init(role: .attentionOutput, linears: [o], source: .linear(v, rows: 0..<v.outFeatures))
            : .init(role: .attentionOutput, linears: [o],
                    unfoldable: "grouped-query attention: each v_proj row feeds several heads' o_proj columns")
    }

    /// The two MLP groups of a gated MLP (Llama's SwiGLU, Gemma's GeGLU): gate/up from the norm
    /// that makes their input, measured at down's output with the activation computed alone
    /// (`combine(gate, up, count)` leaves act(gate)·up in gate); down from up's rows.
    public static func gatedMLPGroups(norm: Source, gate: Linear, up: Linear, down: Linear,
                                      combine: @escaping (_ gate: UnsafeMutablePointer<Float>, _ up: UnsafePointer<Float>, _ count: Int) -> Void)
        -> [ChannelScaleGroup] {
        [.init(role: .mlpInput, linears: [gate, up], source: norm, subModuleOutput: down,
               subModuleInput: { x, _, _ in GatedActivation.compute(x, gate: gate, up: up, combine) }),
         .init(role: .mlpOutput, linears: [down], source: .linear(up, rows: 0..<up.outFeatures))]
    }

    /// The four groups of a LayerNorm block with a fused q|k|v and a GELU MLP (BLOOM, GPT-NeoX):
    /// query_key_value from the attention's LayerNorm (measured at dense's output), dense_h_to_4h
    /// from the MLP's (measured at dense_4h_to_h's output); dense reads v interleaved per head
    /// inside query_key_value's rows (`denseNote` says whose choice leaving it unscaled follows), and
    /// dense_4h_to_h reads GELU's output, which does not commute with scales.
    public static func fusedAttentionGELUGroups(attentionNorm: LayerNormWeights, queryKeyValue: Linear, dense: Linear,
                                                mlpNorm: LayerNormWeights, up: Linear, down: Linear,
                                                denseNote: String) -> [ChannelScaleGroup] {
        return [
            .init(role: .attentionInput, linears: [queryKeyValue], source: .layerNorm(attentionNorm), subModuleOutput: dense),
            .init(role: .attentionOutput, linears: [dense], unfoldable: "v is interleaved per head in query_key_value (left unscaled, as \(denseNote))"),
            .init(role: .mlpInput, linears: [up], source: .layerNorm(mlpNorm), subModuleOutput: down),
            .init(role: .mlpOutput, linears: [down], unfoldable: "GELU between dense_h_to_4h and dense_4h_to_h does not commute with scales"),
        ]
    }

    /// The input's channel count.
    public var channels: Int { linears[0].inFeatures }

    /// Name of where the scales fold (`model.layers.0.input_layernorm`), or nil.
    public var sourceName: String? {
        switch source {
        case .norm(let name, _, _, _): name
        case .linear(let linear, let rows): rows.count == linear.outFeatures ? linear.name : "\(linear.name)[\(rows.lowerBound)..<\(rows.upperBound)]"
        case nil: nil
        }
    }

    /// Divides the input's channels by `scales` at the source and multiplies the group's weight
    /// columns by them: the model computes the same function (up to rounding).
    public func fold(_ scales: [Float]) {
        precondition(scales.count == channels && source != nil, "fold: \(scales.count) scales for \(channels) channels")
        switch source! {
        case .norm(_, let weight, let bias, let offset):
            let w = weight.pointer
            for j in 0..<channels { w[j] = (offset + w[j]) / scales[j] - offset }
            if let bias { for j in 0..<channels { bias.pointer[j] /= scales[j] } }
        case .linear(let linear, let rows):
            let w = linear.weight.pointer, n = linear.inFeatures
            for (j, r) in rows.enumerated() {
                let inv = 1 / scales[j]
                for c in 0..<n { w[r * n + c] *= inv }
                if let b = linear.bias { b.pointer[r] *= inv }
            }
            linear.invalidatePackedWeight()
        }
        for linear in linears {
            let w = linear.weight.pointer, n = linear.inFeatures
            for r in 0..<linear.outFeatures {
                for c in 0..<n { w[r * n + c] *= scales[c] }
            }
            linear.invalidatePackedWeight()
        }
    }

    /// The tensors `fold` changes outside the block linears' weights and biases (norm weights and
    /// biases): what a weight snapshot must also keep.
    public var foldedNormTensors: [Tensor] {
        if case .norm = source { return foldedTensors.map(\.tensor) }
        return []
    }

    /// The tensors `fold` changes besides the weights of linears that get quantized, under their
    /// Hugging Face names: the norm's weight and bias, or the source linear's bias. An exporter
    /// that copies unquantized tensors from the source file must write these instead.
    public var foldedTensors: [(name: String, tensor: Tensor)] {
        switch source {
        case .norm(let name, let weight, let bias, _): [(name + ".weight", weight)] + (bias.map { [(name + ".bias", $0)] } ?? [])
        case .linear(let linear, _): linear.bias.map { [(linear.name + ".bias", $0)] } ?? []
        case nil: []
        }
    }
}
