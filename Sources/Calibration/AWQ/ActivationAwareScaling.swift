import Foundation
import Models
import Quantization
import TensorCore

/// AWQ, activation-aware weight quantization (Lin et al., 2023), as mit-han-lab/llm-awq runs it
/// (`run_awq`): block by block on the full-precision model's hidden states,
///
///  1. one forward pass records every linear's input (and gives the next block's input: AWQ's
///     inputs all come from the unquantized model, as scaling alone does not change them);
///  2. for each input group (`ChannelScaleGroup`: q/k/v, o, gate/up, down for Llama), the
///     per-channel scales that minimise the quantized output error (`AWQScaleSearch`), measured at
///     the sub-module's output (attention, MLP) or the group's own; all searched on the unscaled
///     block, then folded into the norm or linear that makes the input, and into the group's weight
///     columns (the model computes the same function);
///  3. with `clip`, each linear except q and k (and a fused q|k|v) gets the clipping bounds that
///     minimise its error on the scaled inputs (`AWQClipSearch`), and is clamped to them.
///
/// The model is left at full precision, scaled and clipped; a quantizer (RTN for `awq`, or GPTQ)
/// then runs on it as on any model. Groups whose scales cannot fold (after GELU; v_proj → o_proj
/// with grouped-query attention) stay unscaled, as in llm-awq.
public struct ActivationAwareScaling {
    public let settings: AWQSettings
    public let scheme: WeightScheme
    /// Keep every clipped linear's chosen steps per row and group in the result (checks only:
    /// rows × groups integers per linear).
    var recordsClipSteps = false
    /// Measure sub-modules alone where the family says how (false: always run the whole block;
    /// checks only).
    var measuresSubModulesAlone = true

    public init(settings: AWQSettings, scheme: WeightScheme) {
        self.settings = settings; self.scheme = scheme
    }

    /// What the search chose for one input group.
    public struct Group: Sendable {
        public let block: Int
        public let role: ChannelScaleGroup.Role
        public let linears: [String]
        /// Where the scales were folded (nil: unscaled, `skipped` says why).
        public let source: String?
        public let skipped: String?
        public let ratio: Double?
        /// The measured output's mean squared error at the chosen α.
        public let loss: Double?
        public let scales: [Float]?
        /// The input's mean |x| per channel (AWQ's activation statistic), before scaling.
        public let meanAbsolute: [Float]?
    }

    public struct Result: Sendable {
        public var groups: [Group] = []
        /// Mean clipping shrink per clipped linear (name → 1 − bound/max|w| averaged over groups).
        public var clipShrink: [String: Double] = [:]
        /// With `recordsClipSteps`: name → chosen clipping step per row and group (rows × groups).
        public var clipSteps: [String: [Int]] = [:]
        /// Norm weights and biases, and source-linear biases, the folded scales changed.
        public var changedTensors: [(name: String, tensor: Tensor)] = []
        public var seconds: Double = 0
    }

    public func run(model: any ChannelScalableModel, windows: [[Int32]],
                    progress: ((_ block: Int, _ blocks: Int) -> Void)? = nil) throws -> Result {
        if let problem = settings.problem { throw CalibrationSet.Failure(message: problem) }
        guard !windows.isEmpty else { throw CalibrationSet.Failure(message: "awq needs calibration data") }
        let start = Date()
        let count = windows.count, tokens = windows[0].count
        let hidden = try model.embed(windows: windows)
        let search = AWQScaleSearch(scheme: scheme, grid: settings.grid)
        let clipper = AWQClipSearch(scheme: scheme)
        var result = Result()
        for b in 0..<model.blockCount {
            let groups = model.channelScaleGroups(ofBlock: b)
            // 1. The block's input (kept for the sub-module measurements), every linear's input,
            //    and the next block's input, from the unquantized block.
            let input = hidden.copied()
            let recorder = LinearInputRecorder()
            SequenceRows.withWindows(count, tokens: tokens) {
                model.runBlock(b, hidden: hidden, windows: count, tokens: tokens, observer: recorder)
            }
            var inputs = recorder.inputs
            func recorded(_ linear: Linear) throws -> Tensor {
                guard let x = inputs[linear.name] else {
                    throw CalibrationSet.Failure(message: "\(linear.name): the block's forward pass never fed this layer, so it has no calibration inputs")
                }
                return x
            }
            // 2. Scales of every foldable group, searched on the unscaled block.
            var chosen: [(ChannelScaleGroup, [Float])] = []
            for group in groups {
                let names = group.linears.map(\.name)
                guard group.source != nil else {
                    result.groups.append(Group(block: b, role: group.role, linears: names, source: nil, skipped: group.unfoldableReason,
                                               ratio: nil, loss: nil, scales: nil, meanAbsolute: nil))
                    continue
                }
                let x = try recorded(group.linears[0])
                let meanAbs = AWQScaleSearch.meanAbsolute(x)
                // The measured output: the sub-module's output projection's, or the group's own
                // linear's; the reference is its output on the recorded full-precision input.
                precondition(group.subModuleOutput != nil || group.linears.count == 1, "a group measured at its own output has one linear")
                let output = group.subModuleOutput ?? group.linears[0]
                let reference = try recorded(output).times(transposeOf: output.weight)
                let measure: () -> Tensor
                if group.subModuleOutput == nil {
                    measure = { x.times(transposeOf: output.weight) }
                } else if let subModuleInput = group.subModuleInput, measuresSubModulesAlone {
                    // The sub-module alone, from the group's recorded input.
                    measure = {
                        SequenceRows.withWindows(count, tokens: tokens) { subModuleInput(x, count, tokens) }.times(transposeOf: output.weight)
                    }
                } else {
                    // The whole block, reading the output projection's input.
                    measure = {
                        let probe = LinearInputRecorder(wanted: [output.name]), copy = input.copied()
                        SequenceRows.withWindows(count, tokens: tokens) {
                            model.runBlock(b, hidden: copy, windows: count, tokens: tokens, observer: probe)
                        }
                        return probe.inputs[output.name]!.times(transposeOf: output.weight)
                    }
                }
                let outcome = try search.search(group, meanAbsolute: meanAbs, reference: reference, measure: measure)
                chosen.append((group, outcome.scales))
                result.groups.append(Group(block: b, role: group.role, linears: names, source: group.sourceName, skipped: nil,
                                           ratio: outcome.ratio, loss: outcome.loss,
                                           scales: outcome.scales, meanAbsolute: meanAbs))
            }
            for (group, scales) in chosen {
                group.fold(scales)
                result.changedTensors += group.foldedTensors
                // The recorded inputs as the scaled model sees them (for the clipping search).
                let x = try recorded(group.linears[0]).copied()
                let p = x.pointer, n = x.columns
                for r in 0..<x.rows { for j in 0..<n { p[r * n + j] /= scales[j] } }
                for linear in group.linears { inputs[linear.name] = x }
            }
            // 3. Clipping, except q and k (their error goes through q·kᵀ).
            if settings.clip {
                for group in groups {
                    let exempt = Set(group.scoreLinears.map(\.name))
                    for linear in group.linears where !exempt.contains(linear.name) {
                        let outcome = try clipper.clip(linear.weight, inputs: try recorded(linear))
                        linear.invalidatePackedWeight()
                        result.clipShrink[linear.name] = outcome.meanShrink
                        if recordsClipSteps { result.clipSteps[linear.name] = outcome.steps }
                    }
                }
            }
            progress?(b + 1, model.blockCount)
        }
        result.seconds = Date().timeIntervalSince(start)
        return result
    }
}
