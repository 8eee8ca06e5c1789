import Models
import Quantization

/// True-sequential calibration in one run of a block: when a linear's input appears for the first
/// time (a new input group, `InputGroups`: q/k/v share one, as do gate/up), its Hessian and range are taken from
/// that input and the layer is quantized on the spot, before `Linear.forward` reads its weight and
/// input transform; the next layers of the group reuse them. Every group's input therefore comes
/// from the already-quantized groups before it (what the reference gets by probing the block once
/// per group), and the block's output is already the quantized block's output.
///
/// Relies on `Linear.forward` calling the observer before it reads `weight` and `inputTransform`,
/// and on a block feeding each linear once, with all calibration rows in one call.
final class QuantizeOnFirstInput: LinearInputObserver {
    typealias Quantize = (Linear, Hessian?, ActivationRange?) throws -> QuantizationSummary.Layer

    private let linears: [String: Linear]
    private let computeHessians: Bool
    private let computeRanges: Bool
    private let quantize: Quantize
    /// Quantized layers, by name.
    private(set) var done: [String: QuantizationSummary.Layer] = [:]
    /// The first error (quantization failed, or a layer fed twice); later layers are left alone.
    private(set) var failure: (any Error)? = nil

    private var groups = InputGroups()
    private var groupHessian: Hessian? = nil
    private var groupRange: ActivationRange? = nil

    init(linears: [Linear], computeHessians: Bool, computeRanges: Bool, quantize: @escaping Quantize) {
        self.linears = Dictionary(linears.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.computeHessians = computeHessians
        self.computeRanges = computeRanges
        self.quantize = quantize
    }

    func observe(layer: String, input: UnsafePointer<Float>, rows: Int, columns: Int) {
        guard failure == nil, let linear = linears[layer] else { return }
        guard done[layer] == nil else {
            failure = CalibrationSet.Failure(message: "\(layer): the block fed this layer twice; true-sequential calibration needs one call with every calibration row")
            return
        }
        if groups.startsGroup(input, rows: rows, columns: columns) {
            let (accumulator, range) = InputGroups.statistics(of: input, rows: rows, columns: columns,
                                                              hessian: computeHessians, range: computeRanges)
            groupHessian = accumulator?.hessian
            groupRange = range
        }
        do {
            done[layer] = try quantize(linear, groupHessian, groupRange)
        } catch {
            failure = error
        }
    }
}
