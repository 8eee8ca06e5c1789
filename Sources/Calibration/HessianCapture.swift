import Models
import Quantization

/// Accumulates X·Xᵀ and the min/max range for each distinct linear input seen during a block's
/// forward pass. Layers of one input group (`InputGroups`: q/k/v, gate/up) share them; groups are
/// numbered in execution order.
final class HessianCapture: LinearInputObserver {
    private var accumulators: [HessianAccumulator?] = []
    private var inputRanges: [ActivationRange] = []
    private var owner: [String: Int] = [:]
    private let computeHessians: Bool
    private let computeRanges: Bool
    private var groups = InputGroups()

    init(computeHessians: Bool = true, computeRanges: Bool = true) {
        self.computeHessians = computeHessians
        self.computeRanges = computeRanges
    }

    func observe(layer: String, input: UnsafePointer<Float>, rows: Int, columns: Int) {
        if groups.startsGroup(input, rows: rows, columns: columns) {
            let (accumulator, range) = InputGroups.statistics(of: input, rows: rows, columns: columns,
                                                              hessian: computeHessians, range: computeRanges)
            accumulators.append(accumulator)
            inputRanges.append(range)
        }
        owner[layer] = accumulators.count - 1
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
