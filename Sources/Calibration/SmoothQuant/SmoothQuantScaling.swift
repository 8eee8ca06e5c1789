import Foundation
import Models
import Quantization
import TensorCore

/// SmoothQuant (Xiao et al., 2023), as mit-han-lab/smoothquant's `smooth_lm` runs it: activation
/// outliers migrate into the weights, so that per-tensor (static) activation quantization keeps
/// the ordinary channels' resolution. For every input group made by a norm (q/k/v from the
/// attention's norm, gate/up or fc1 from the MLP's), per input channel j
///
///     s_j = max(max|X_j|^α / max(max|W_j|, 1e-5)^(1−α), 1e-5)
///
/// where max|X_j| is the channel's largest magnitude over all calibration tokens of the
/// unquantized model (`get_act_scales`) and max|W_j| the largest magnitude of column j over the
/// group's linears; the norm's weight (and bias) is divided by s, the linears' columns multiplied
/// by s (`ChannelScaleGroup.fold`): the model computes the same function. Groups made by a linear
/// (o_proj, down_proj) are left alone, as in the reference. The model stays at full precision; a
/// quantizer (RTN for `smoothquant`, or GPTQ) then runs on it as on any model.
public struct SmoothQuantScaling {
    public let settings: SmoothQuantSettings

    public init(settings: SmoothQuantSettings) { self.settings = settings }

    /// What smoothing did to one norm-made input group.
    public struct Group: Sendable {
        public let block: Int
        public let role: ChannelScaleGroup.Role
        public let linears: [String]
        /// The norm the scales were folded into.
        public let source: String
        /// max|X_j| over the calibration tokens, before smoothing.
        public let activationMax: [Float]
        /// max|W_j| over the group's linears (clamped to 1e-5), before smoothing.
        public let weightMax: [Float]
        public let scales: [Float]
    }

    public struct Result: Sendable {
        public var groups: [Group] = []
        /// Norm weights and biases the folded scales changed.
        public var changedTensors: [(name: String, tensor: Tensor)] = []
        public var seconds: Double = 0
    }

    /// s_j for one group: the reference's formula, in f32 as its f32 model computes it.
    public static func scales(activationMax: [Float], weightMax: [Float], alpha: Double) -> [Float] {
        precondition(activationMax.count == weightMax.count)
        let a = Float(alpha)
        return zip(activationMax, weightMax).map { x, w in max(powf(x, a) / powf(w, 1 - a), 1e-5) }
    }

    /// Column max |W_j| over the linears, clamped to 1e-5.
    public static func weightMaxima(_ linears: [Linear]) -> [Float] {
        let n = linears[0].inFeatures
        var m = [Float](repeating: 0, count: n)
        for linear in linears {
            let w = linear.weight.pointer
            for r in 0..<linear.outFeatures {
                for j in 0..<n { m[j] = max(m[j], abs(w[r * n + j])) }
            }
        }
        return m.map { max($0, 1e-5) }
    }

    /// Smooths the model in place, block by block on the calibration windows (the activation
    /// statistic of block b comes from the unquantized blocks before it, which smoothing does not
    /// change).
    public func run(model: any ChannelScalableModel, windows: [[Int32]],
                    progress: ((_ block: Int, _ blocks: Int) -> Void)? = nil) throws -> Result {
        if let problem = settings.problem { throw CalibrationSet.Failure(message: problem) }
        guard !windows.isEmpty else { throw CalibrationSet.Failure(message: "smoothquant needs calibration data") }
        let start = Date()
        let count = windows.count, tokens = windows[0].count
        let hidden = try model.embed(windows: windows)
        var result = Result()
        for b in 0..<model.blockCount {
            let groups = model.channelScaleGroups(ofBlock: b).filter { group in
                if case .norm? = group.source { return true }
                return false
            }
            let observer = ChannelMaxObserver(wanted: Set(groups.map { $0.linears[0].name }))
            SequenceRows.withWindows(count, tokens: tokens) {
                model.runBlock(b, hidden: hidden, windows: count, tokens: tokens, observer: observer)
            }
            for group in groups {
                guard let xMax = observer.maxima[group.linears[0].name] else {
                    throw CalibrationSet.Failure(message: "\(group.linears[0].name): the block's forward pass never fed this layer, so it has no calibration inputs")
                }
                let wMax = Self.weightMaxima(group.linears)
                let s = Self.scales(activationMax: xMax, weightMax: wMax, alpha: settings.alpha)
                group.fold(s)
                result.changedTensors += group.foldedTensors
                result.groups.append(Group(block: b, role: group.role, linears: group.linears.map(\.name), source: group.sourceName!,
                                           activationMax: xMax, weightMax: wMax, scales: s))
            }
            progress?(b + 1, model.blockCount)
        }
        result.seconds = Date().timeIntervalSince(start)
        return result
    }
}
