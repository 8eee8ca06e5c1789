import Models
import TensorCore

/// The running per-channel max |x| of the inputs of the linears it is asked for, over every call
/// of every forward pass it observes (SmoothQuant's activation statistic, `get_act_scales`). Holds
/// one vector per layer, never a copy of the inputs.
final class ChannelMaxObserver: LinearInputObserver {
    private let wanted: Set<String>
    private(set) var maxima: [String: [Float]] = [:]

    init(wanted: Set<String>) { self.wanted = wanted }

    func observe(layer: String, input: UnsafePointer<Float>, rows: Int, columns: Int) {
        guard wanted.contains(layer) else { return }
        var m = maxima[layer] ?? [Float](repeating: 0, count: columns)
        precondition(m.count == columns, "\(layer): inputs of \(columns) channels after \(m.count)")
        m.withUnsafeMutableBufferPointer { out in
            for r in 0..<rows {
                let row = input + r * columns
                for j in 0..<columns { out[j] = max(out[j], abs(row[j])) }
            }
        }
        maxima[layer] = m
    }
}
