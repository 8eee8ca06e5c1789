import Models
import TensorCore

/// The error one changed layer causes in its block's output, on a few windows, each token's
/// relative to its residual's scale: the block's input
/// (unquantized model) is kept, the block is run once as it is for the reference output, then
/// once per probe with one linear's weight replaced (and restored afterwards).
final class BlockOutputProbe {
    let model: any BlockwiseLanguageModel
    let windows: Int, tokens: Int
    /// The current block's input, then (after `finishBlock`) the next block's.
    private var input: Tensor
    private var reference: Tensor?
    private var block = 0

    init(model: any BlockwiseLanguageModel, windows: [[Int32]]) throws {
        self.model = model
        self.windows = windows.count
        tokens = windows.first?.count ?? 0
        input = try model.embed(windows: windows)
    }

    private func copy(_ t: Tensor) -> Tensor {
        let c = Tensor(zeros: t.shape)
        c.pointer.update(from: t.pointer, count: t.count)
        return c
    }

    /// Computes block `b`'s reference output.
    func startBlock(_ b: Int) {
        block = b
        let out = copy(input)
        model.runBlock(b, hidden: out, windows: windows, tokens: tokens, observer: nil)
        reference = out
    }

    /// Σ (output − reference)² over the windows with `linear`'s weight set to `weight`; the
    /// layer gets `original` back (f32, or compressed again when it was).
    func error(replacing linear: Linear, with weight: Tensor, original: Tensor) -> Double {
        let compressed = linear.weightIsCompressed
        linear.setWeight(weight, compress: false)
        let out = copy(input)
        model.runBlock(block, hidden: out, windows: windows, tokens: tokens, observer: nil)
        linear.setWeight(original, compress: compressed)
        guard let reference else { return 0 }
        // each token's squared error relative to its residual's mean square: the next block's
        // norm divides the residual by its RMS, so that is the error the model goes on with
        let d = reference.shape[1]
        var total: Double = 0
        for r in 0..<reference.shape[0] {
            var error: Double = 0, energy: Double = 0
            for c in 0..<d {
                let x = Double(reference.pointer[r * d + c]), e = Double(out.pointer[r * d + c]) - x
                error += e * e
                energy += x * x
            }
            total += energy > 0 ? error / (energy / Double(d)) : error
        }
        return total
    }

    /// The reference output becomes the next block's input.
    func finishBlock(_ b: Int) {
        if let reference { input = reference }
    }
}
