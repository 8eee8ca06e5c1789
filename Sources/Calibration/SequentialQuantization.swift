import Foundation
import Models
import Quantization
import TensorCore

/// Quantizes every linear layer of a model block by block (GPTQ's sequential procedure):
/// for block i, run the calibration hidden states through it while accumulating one Hessian per
/// distinct layer input (q/k/v share theirs, as do gate/up), quantize each linear with the method,
/// put the dequantized weights in place, then run the block again so block i+1 sees the outputs of
/// the already-quantized blocks. With an activation scheme, each quantized linear also
/// fake-quantizes its input (per token or per tensor, dynamic, or static from the calibration
/// range of that input), and the block is re-run that way, as it will be deployed. Calibration is
/// skipped when nothing needs it (RTN with dynamic or no activation quantization).
public struct SequentialQuantization {
    public let method: any WeightQuantizer
    public let scheme: WeightScheme
    public let activation: ActivationScheme
    /// The method needs Hessians (GPTQ, ZeroQuant); static activation ranges need calibration too.
    public let methodNeedsHessian: Bool

    public init(method: any WeightQuantizer, scheme: WeightScheme, activation: ActivationScheme = .none,
                needsCalibration: Bool) {
        self.method = method
        self.scheme = scheme
        self.activation = activation
        self.methodNeedsHessian = needsCalibration
    }

    public var needsCalibration: Bool { methodNeedsHessian || (activation.isQuantized && activation.isStatic) }

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
            guard !(activation.isQuantized && activation.isStatic) else {
                throw CalibrationSet.Failure(message: "static activation ranges need sequential calibration")
            }
            guard baseHessians.perBlock.count == model.blockCount else {
                throw CalibrationSet.Failure(message: "Hessians for \(baseHessians.perBlock.count) blocks, the model has \(model.blockCount)")
            }
        } else if needsCalibration {
            guard !windows.isEmpty else { throw CalibrationSet.Failure(message: "\(method.name) needs calibration data") }
            hidden = try model.embed(windows: windows)
        }
        for b in 0..<model.blockCount {
            let linears = model.linears(ofBlock: b)
            var hessians: [String: Hessian] = methodNeedsHessian ? baseHessians?.perBlock[b] ?? [:] : [:]
            var ranges: [String: ActivationRange] = [:]
            if let hidden {
                // Capture: one accumulator per distinct input (layers fed the same buffer share it).
                let capture = HessianCapture(computeHessians: methodNeedsHessian,
                                             computeRanges: activation.isQuantized && activation.isStatic)
                // Run on a copy: the block's real outputs must come from the quantized weights.
                let probe = hidden.copied()
                SequenceRows.withWindows(windows.count, tokens: windows[0].count) {
                    model.runBlock(b, hidden: probe, windows: windows.count, tokens: windows[0].count, observer: capture)
                }
                if methodNeedsHessian { hessians = capture.hessians() }
                ranges = capture.ranges()
            }
            for linear in linears {
                let q: QuantizedWeight
                do {
                    q = try method.quantize(weight: linear.weight, hessian: hessians[linear.name], scheme: scheme)
                } catch {
                    throw CalibrationSet.Failure(message: "\(linear.name): \(error)")
                }
                layers.append(.init(name: linear.name, result: q))
                linear.weight = q.dequantized
                if activation.isQuantized {
                    let act = activation, range = ranges[linear.name]
                    linear.inputTransform = { x, rows, columns in
                        ActivationQuantizer.fakeQuantize(x, rows: rows, columns: columns, scheme: act, staticRange: range)
                    }
                }
            }
            if let hidden {
                SequenceRows.withWindows(windows.count, tokens: windows[0].count) {
                    model.runBlock(b, hidden: hidden, windows: windows.count, tokens: windows[0].count, observer: nil)
                }
            }
            progress?(b + 1, model.blockCount)
        }
        return QuantizationSummary(method: method.name, scheme: scheme, layers: layers,
                                   seconds: Date().timeIntervalSince(start))
    }
}

/// Accumulates X·Xᵀ and the min/max range for each distinct linear input seen during a block's
/// forward pass. Layers that receive the same input buffer in a row (q/k/v, gate/up) share them.
final class HessianCapture: LinearInputObserver {
    private var accumulators: [HessianAccumulator] = []
    private var inputRanges: [ActivationRange] = []
    private var owner: [String: Int] = [:]
    private let computeHessians: Bool
    private let computeRanges: Bool
    private var lastInput: UnsafePointer<Float>? = nil
    private var lastShape = (0, 0)

    init(computeHessians: Bool = true, computeRanges: Bool = true) {
        self.computeHessians = computeHessians
        self.computeRanges = computeRanges
    }

    func observe(layer: String, input: UnsafePointer<Float>, rows: Int, columns: Int) {
        if let last = lastInput, last == input, lastShape == (rows, columns), let index = accumulators.indices.last {
            owner[layer] = index
            return
        }
        let acc = HessianAccumulator(inFeatures: columns)
        if computeHessians { acc.add(input, rows: rows) }
        accumulators.append(acc)
        var range = ActivationRange()
        if computeRanges { range.observe(input, count: rows * columns) }
        inputRanges.append(range)
        owner[layer] = accumulators.count - 1
        lastInput = input
        lastShape = (rows, columns)
    }

    func ranges() -> [String: ActivationRange] { owner.mapValues { inputRanges[$0] } }

    func hessians() -> [String: Hessian] {
        let built = accumulators.map(\.hessian)
        return owner.mapValues { built[$0] }
    }
}

/// What quantizing a model did: per layer storage and method statistics, and totals.
public struct QuantizationSummary: Sendable {
    public struct Layer: Sendable {
        /// HF module name, e.g. `model.layers.0.self_attn.q_proj`.
        public let name: String
        /// The method's output: dequantized weight, integer codes/scales/zeros (for export), bits.
        public let result: QuantizedWeight
        public var bits: BitAccounting { result.bits }
        public var stats: [String: Double] { result.stats }
    }
    public let method: String
    public let scheme: WeightScheme
    public let layers: [Layer]
    public let seconds: Double

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
