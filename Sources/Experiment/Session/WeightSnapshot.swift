import Models
import TensorCore

/// A copy of every block linear's weight and bias, taken once after loading, so one loaded model
/// serves a whole study: `restore()` puts the base weights back (as fresh copies: a method may
/// write into the tensor it is given) and removes activation fake-quantization. The norm weights
/// and biases that channel scaling (AWQ, SmoothQuant) folds into are kept too, and restored in place.
public final class WeightSnapshot {
    /// Each block linear, with the index of its weight (and bias) in `saved`; a weight held
    /// compressed (memory-lean) is kept as that immutable matrix instead (index -1).
    private let entries: [(linear: Linear, weight: Int, bias: Int?)]
    private var compressedWeights: [ObjectIdentifier: CompressedMatrix] = [:]
    /// Norm weights and biases channel scaling folds into, with their index in `saved`.
    private let norms: [(live: Tensor, saved: Int)]
    /// The saved copies, in a file-backed mapping (see `SavedTensors`): a study holds one model in
    /// memory, not two.
    private let saved: SavedTensors
    private let savedWeights: Int
    /// Tables saved on demand (`preserve`): the token tables a recipe quantizes.
    private var extra: [(live: WeightMatrix, saved: Tensor)] = []

    public init(_ model: any BlockwiseLanguageModel) {
        var tensors: [Tensor] = []
        func keep(_ t: Tensor) -> Int { tensors.append(t); return tensors.count - 1 }
        var entries: [(Linear, Int, Int?)] = []
        var weights = 0
        var compressed: [ObjectIdentifier: CompressedMatrix] = [:]
        for b in 0..<model.blockCount {
            for linear in model.linears(ofBlock: b) {
                if let c = linear.compressedWeight {
                    weights += c.rows * c.columns
                    compressed[ObjectIdentifier(linear)] = c
                    entries.append((linear, -1, linear.bias.map(keep)))
                    continue
                }
                let w = linear.weight
                weights += w.count
                entries.append((linear, keep(w), linear.bias.map(keep)))
            }
        }
        compressedWeights = compressed
        self.entries = entries
        var norms: [(Tensor, Int)] = []
        if let scalable = model as? any ChannelScalableModel {
            var seen: [Tensor] = []
            for b in 0..<model.blockCount {
                for group in scalable.channelScaleGroups(ofBlock: b) {
                    for tensor in group.foldedNormTensors where !seen.contains(where: { $0.storage === tensor.storage }) {
                        seen.append(tensor)
                        norms.append((tensor, keep(tensor)))
                    }
                }
            }
        }
        self.norms = norms
        saved = SavedTensors(tensors)
        savedWeights = weights
    }

    /// Whether the copies live in a temporary file rather than in memory.
    public var isFileBacked: Bool { saved.isFileBacked }

    public func restore() {
        for entry in entries {
            if entry.weight < 0 {
                entry.linear.compressedWeight = compressedWeights[ObjectIdentifier(entry.linear)]
            } else {
                entry.linear.weight = saved.tensor(entry.weight)
            }
            entry.linear.bias = entry.bias.map(saved.tensor)
            entry.linear.inputTransform = nil
        }
        for norm in norms { saved.restore(norm.saved, into: norm.live) }
        for e in extra { e.live.tensor = e.saved.copied() }
    }

    /// Saves `table` (once) so `restore()` puts its values back.
    public func preserve(_ table: WeightMatrix) {
        guard !extra.contains(where: { $0.live === table }) else { return }
        extra.append((table, table.tensor.copied()))
    }

    /// Weights of the block linears, and their f32 bytes (the base row's size).
    public var weightCount: Int { savedWeights }
}
