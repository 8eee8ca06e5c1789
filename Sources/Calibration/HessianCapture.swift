import Models
import Quantization

/// Accumulates X·Xᵀ and the min/max range for each distinct linear input seen during a block's
/// forward pass. Layers that receive the same input buffer in a row (q/k/v, gate/up) share them and
/// form one input group; groups are numbered in execution order.
final class HessianCapture: LinearInputObserver {
    private var accumulators: [HessianAccumulator?] = []
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
        if let last = lastInput, last == input, lastShape == (rows, columns), !accumulators.isEmpty {
            owner[layer] = accumulators.count - 1
            return
        }
        let index = accumulators.count
        var acc: HessianAccumulator? = nil
        if computeHessians {
            let a = HessianAccumulator(inFeatures: columns)
            a.add(input, rows: rows)
            acc = a
        }
        accumulators.append(acc)
        var range = ActivationRange()
        if computeRanges { range.observe(input, count: rows * columns) }
        inputRanges.append(range)
        owner[layer] = index
        lastInput = input
        lastShape = (rows, columns)
    }

    /// The input group of a layer (nil when the forward pass never fed it).
    func group(of layer: String) -> Int? { owner[layer] }

    func ranges() -> [String: ActivationRange] { owner.mapValues { inputRanges[$0] } }

    /// Hessians of the accumulated groups' layers.
    func hessians() -> [String: Hessian] {
        let built = accumulators.map { $0?.hessian }
        return owner.compactMapValues { built[$0] }
    }
}
