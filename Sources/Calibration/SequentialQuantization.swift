import Foundation
import Models
import Quantization
import TensorCore

/// Quantizes every linear layer of a model block by block (GPTQ's sequential procedure): block i
/// runs on the calibration hidden states while one Hessian per distinct layer input is accumulated
/// (q/k/v share theirs, as do gate/up), each linear is quantized with the method and its dequantized
/// weights put in place, then the block runs again so block i+1 sees the outputs of the
/// already-quantized blocks.
///
/// Inside a block, `trueSequential` (the reference's `--true-sequential`, our default) takes the
/// layers by input group in execution order — attention inputs (q/k/v or a fused qkv), attention
/// output, MLP inputs (gate/up or fc1), MLP output — so each group's inputs come from the
/// already-quantized groups before it. The reference probes the block once per group and then runs
/// it again (5 block runs for Llama); here the block runs once and each group is quantized the
/// moment its input appears, before its layers compute (`QuantizeOnFirstInput`): the same inputs,
/// Hessians and outputs, bit for bit, at the cost of one block run. Without it one probe with the
/// unquantized weights gives every layer's inputs, then the quantized block runs (2 block runs).
/// With an activation scheme, each quantized linear also fake-quantizes its input (per token or per
/// tensor, dynamic, or static from the calibration range of that input), and later groups and the
/// block's output see it that way, as deployed. Calibration is skipped when
/// nothing needs it (RTN with dynamic or no activation quantization).
public struct SequentialQuantization {
    /// Each linear's scheme and method (`LayerPlan`: the recipe's, or a per-layer override's).
    public let plan: LayerPlan
    /// The recipe's own method and scheme (the summary's).
    public var method: any WeightQuantizer { plan.base.quantizer }
    public var scheme: WeightScheme { plan.base.weight }
    public var activation: ActivationScheme { plan.base.activation }
    /// Some layer's method needs Hessians (GPTQ, ZeroQuant); static activation ranges need calibration too.
    public let methodNeedsHessian: Bool
    /// One probe per input group inside each block (see above).
    public let trueSequential: Bool
    /// The checkpoint's ggml blocks: a layer it already stores in the type its scheme gives it keeps
    /// them unchanged instead of being quantized (llama-quantize's "nothing to do"). Only valid while
    /// the layers hold the checkpoint's weights (no AWQ/SmoothQuant scaling before).
    public var storedBlocks: StoredWeightBlocks? = nil

    public init(method: any WeightQuantizer, scheme: WeightScheme, activation: ActivationScheme = .none,
                needsCalibration: Bool, trueSequential: Bool = true) {
        self.init(plan: LayerPlan(base: .init(weight: scheme, activation: activation, quantizer: method, needsHessian: needsCalibration)),
                  trueSequential: trueSequential)
    }

    public init(plan: LayerPlan, trueSequential: Bool = true) {
        self.plan = plan
        self.methodNeedsHessian = plan.needsHessian
        self.trueSequential = trueSequential
    }

    public var needsCalibration: Bool { methodNeedsHessian || capturesRanges }

    private var capturesRanges: Bool { plan.needsRanges }

    /// With `baseHessians`, the method uses those (computed once on the unquantized model) and no
    /// calibration pass runs; static activation ranges need the sequential pass and are refused.
    public func run(model: any BlockwiseLanguageModel, calibration: CalibrationSet?,
                    baseHessians: BaseModelHessians? = nil,
                    progress: ((_ block: Int, _ blocks: Int) -> Void)? = nil) throws -> QuantizationSummary {
        let start = Date()
        var layers: [QuantizationSummary.Layer] = []
        var hidden: Tensor? = nil
        let windows = calibration?.windows ?? []
        if let baseHessians {
            guard !capturesRanges else {
                throw CalibrationSet.Failure(message: "static activation ranges need sequential calibration")
            }
            guard baseHessians.perBlock.count == model.blockCount else {
                throw CalibrationSet.Failure(message: "Hessians for \(baseHessians.perBlock.count) blocks, the model has \(model.blockCount)")
            }
        } else if needsCalibration {
            guard !windows.isEmpty else { throw CalibrationSet.Failure(message: "\(method.name) needs calibration data") }
            hidden = try model.embed(windows: windows)
        }
        let count = windows.count, tokens = windows.first?.count ?? 0
        for b in 0..<model.blockCount {
            let linears = model.linears(ofBlock: b)
            var done: [String: QuantizationSummary.Layer] = [:]
            if let hidden {
                if trueSequential {
                    // One run of the block on the real hidden states: each input group is quantized
                    // the moment its input appears, before its layers compute (see QuantizeOnFirstInput).
                    let observer = QuantizeOnFirstInput(linears: linears, computeHessians: methodNeedsHessian,
                                                        computeRanges: capturesRanges) { linear, hessian, range in
                        try quantize(linear, hessian: hessian, range: range)
                    }
                    SequenceRows.withWindows(count, tokens: tokens) {
                        model.runBlock(b, hidden: hidden, windows: count, tokens: tokens, observer: observer)
                    }
                    if let failure = observer.failure { throw failure }
                    done = observer.done
                } else {
                    // One probe, on a copy: the block's real outputs must come from the quantized weights.
                    let capture = HessianCapture(computeHessians: methodNeedsHessian, computeRanges: capturesRanges)
                    let copy = hidden.copied()
                    SequenceRows.withWindows(count, tokens: tokens) {
                        model.runBlock(b, hidden: copy, windows: count, tokens: tokens, observer: capture)
                    }
                    let hessians = methodNeedsHessian ? capture.hessians() : [:], ranges = capture.ranges()
                    for linear in linears {
                        done[linear.name] = try quantize(linear, hessian: hessians[linear.name], range: ranges[linear.name])
                    }
                    // The block's real outputs, from the quantized weights.
                    SequenceRows.withWindows(count, tokens: tokens) {
                        model.runBlock(b, hidden: hidden, windows: count, tokens: tokens, observer: nil)
                    }
                }
                if let missing = linears.first(where: { done[$0.name] == nil }) {
                    throw CalibrationSet.Failure(message: "\(missing.name): the block's forward pass never fed this layer, so it has no calibration inputs")
                }
            } else {
                let hessians = methodNeedsHessian ? baseHessians?.perBlock[b] ?? [:] : [:]
                for linear in linears {
                    done[linear.name] = try quantize(linear, hessian: hessians[linear.name], range: nil)
                }
            }
            layers += linears.compactMap { done[$0.name] }
            progress?(b + 1, model.blockCount)
        }
        return QuantizationSummary(method: method.name, scheme: scheme, layers: layers,
                                   seconds: Date().timeIntervalSince(start))
    }

    /// Quantizes one linear in place, with its plan's method and scheme: dequantized weights (kept
    /// as they are for a full-precision scheme), and the activation fake-quantization of its input
    /// when the scheme quantizes activations.
    private func quantize(_ linear: Linear, hessian: Hessian?, range: ActivationRange?) throws -> QuantizationSummary.Layer {
        let choice = plan.choice(for: linear.name)
        let q: QuantizedWeight
        if choice.weight.isQuantized {
            // A layer kept compressed (memory-lean) keeps its result compressed: a lossless palette.
            let lean = linear.weightIsCompressed
            do {
                if let kept = storedBlocks?.kept(linear.name, scheme: choice.weight, rows: linear.outFeatures, columns: linear.inFeatures) {
                    q = kept
                } else {
                    q = try choice.quantizer.quantize(weight: linear.weight, hessian: choice.needsHessian ? hessian : nil, scheme: choice.weight)
                }
            } catch {
                throw CalibrationSet.Failure(message: "\(linear.name): \(error)")
            }
            linear.setWeight(q.dequantized, compress: lean)
        } else {
            q = .fullPrecision(linear.weight)
        }
        if choice.activation.isQuantized {
            let act = choice.activation
            linear.inputTransform = { x, rows, columns in
                ActivationQuantizer.fakeQuantize(x, rows: rows, columns: columns, scheme: act, staticRange: range)
            }
        }
        return .init(name: linear.name, result: q.installed())
    }
}

/// What quantizing a model did: per layer storage and method statistics, and totals.
public struct QuantizationSummary: Sendable {
    public struct Layer: Sendable {
        /// HF module name, e.g. `model.layers.0.self_attn.q_proj`.
        public let name: String
        /// The method's output: integer codes/scales/zeros (for export), bits and statistics; the
        /// dequantized weight is the layer's own (`QuantizedWeight.installed()`: empty here when
        /// there are codes).
        public let result: QuantizedWeight
        public var bits: BitAccounting { result.bits }
        public var stats: [String: Double] { result.stats }
    }
    public let method: String
    public let scheme: WeightScheme
    public let layers: [Layer]
    public let seconds: Double
    /// Tensors other than the quantized weights that the method changed (AWQ's scaled norms and
    /// biases), under their Hugging Face names, as they now are: exporters write these, not the
    /// source file's.
    public var changedTensors: [(name: String, tensor: Tensor)] = []
    /// The token embedding and LM head, when the recipe quantizes them (`QuantRecipe.embedding`,
    /// `.head`; one entry for a tied pair). Not in `effectiveBits`, which counts block linears.
    public var tokenTables: [Layer] = []

    /// Bytes of the quantized token tables, and their weights.
    public var tokenTableBytes: Int { (tokenTables.reduce(0) { $0 + $1.bits.totalBits } + 7) / 8 }
    public var tokenTableWeights: Int { tokenTables.reduce(0) { $0 + $1.bits.weights } }

    /// Effective bits per weight over the quantized linear layers (codes + scales/zeros + extras).
    public var effectiveBits: Double {
        let bits = layers.reduce(0) { $0 + $1.bits.totalBits }
        let weights = layers.reduce(0) { $0 + $1.bits.weights }
        return Double(bits) / Double(max(weights, 1))
    }

    /// Bytes of the quantized linear layers.
    public var quantizedBytes: Int { (layers.reduce(0) { $0 + $1.bits.totalBits } + 7) / 8 }

    public var quantizedWeights: Int { layers.reduce(0) { $0 + $1.bits.weights } }
}
