import Models
import Quantization

/// How calibration tells the input groups of a block apart as its linears are fed: layers that
/// receive the same input buffer, with the same shape, one after the other (q/k/v; gate/up) form one
/// group; any other input starts the next group (execution order). Shared by `HessianCapture` and
/// `QuantizeOnFirstInput`, with the statistics each group is calibrated on.
struct InputGroups {
    private var lastInput: UnsafePointer<Float>? = nil
    private var lastShape = (0, 0)

    /// Whether this input starts a new group (else it is the previous layer's input again).
    mutating func startsGroup(_ input: UnsafePointer<Float>, rows: Int, columns: Int) -> Bool {
        if lastInput == input && lastShape == (rows, columns) { return false }
        lastInput = input
        lastShape = (rows, columns)
        return true
    }

    /// A group's input (rows, columns) as calibration sees it: X·Xᵀ accumulated (when asked) and
    /// its min/max range (left empty when not asked).
    static func statistics(of input: UnsafePointer<Float>, rows: Int, columns: Int,
                           hessian: Bool, range: Bool) -> (HessianAccumulator?, ActivationRange) {
        var accumulator: HessianAccumulator? = nil
        if hessian {
            let a = HessianAccumulator(inFeatures: columns)
            a.add(input, rows: rows)
            accumulator = a
        }
        var observed = ActivationRange()
        if range { observed.observe(input, count: rows * columns) }
        return (accumulator, observed)
    }
}
