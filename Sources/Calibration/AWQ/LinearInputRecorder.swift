import Models
import TensorCore

/// Keeps a copy of the inputs of the linears it is asked for (all when `wanted` is nil) during a
/// block's forward pass: (rows, in) per layer, one copy shared by layers fed the same buffer
/// (q/k/v, gate/up) in consecutive calls.
final class LinearInputRecorder: LinearInputObserver {
    private let wanted: Set<String>?
    private(set) var inputs: [String: Tensor] = [:]
    private var last: (pointer: UnsafePointer<Float>, rows: Int, columns: Int, tensor: Tensor)?

    init(wanted: Set<String>? = nil) { self.wanted = wanted }

    func observe(layer: String, input: UnsafePointer<Float>, rows: Int, columns: Int) {
        // The previous call's copy is shared only by the very next calls on the same buffer: a
        // scratch buffer is reused for other contents later in the block.
        let previous = last
        last = nil
        guard wanted?.contains(layer) ?? true else { return }
        if let previous, previous.pointer == input, previous.rows == rows, previous.columns == columns {
            inputs[layer] = previous.tensor
            last = previous
            return
        }
        let copy = Tensor(zeros: [rows, columns])
        copy.pointer.update(from: input, count: rows * columns)
        inputs[layer] = copy
        last = (input, rows, columns, copy)
    }
}
