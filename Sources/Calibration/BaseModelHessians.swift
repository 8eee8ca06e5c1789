import Foundation
import Models
import Quantization
import TensorCore

/// The Hessians of every block linear computed once on the unquantized model (one forward pass
/// over the calibration windows), for recipes that calibrate non-sequentially
/// (`CalibrationSettings.sequential == false`): every such experiment on a model reuses them
/// instead of re-running the calibration set through the partly quantized model. Sequential
/// calibration (GPTQ's protocol, the default) cannot share them past block 0: each block's
/// inputs depend on how the blocks before it were quantized.
public final class BaseModelHessians: @unchecked Sendable {
    /// Per block: layer name → Hessian (layers fed the same input share one).
    public let perBlock: [[String: Hessian]]
    public let seconds: Double

    /// Runs the calibration windows through the (unquantized) model once, block by block.
    public init(model: any BlockwiseLanguageModel, calibration: CalibrationSet,
                progress: ((_ block: Int, _ blocks: Int) -> Void)? = nil) throws {
        let start = Date()
        let windows = calibration.windows
        guard !windows.isEmpty else { throw CalibrationSet.Failure(message: "no calibration windows") }
        let hidden = try model.embed(windows: windows)
        var blocks: [[String: Hessian]] = []
        for b in 0..<model.blockCount {
            let capture = HessianCapture(computeHessians: true, computeRanges: false)
            model.runBlock(b, hidden: hidden, windows: windows.count, tokens: windows[0].count, observer: capture)
            blocks.append(capture.hessians())
            progress?(b + 1, model.blockCount)
        }
        perBlock = blocks
        seconds = Date().timeIntervalSince(start)
    }

    /// Bytes held by the Hessians (shared ones counted once).
    public var bytes: Int {
        perBlock.reduce(0) { total, block in
            var seen = Set<ObjectIdentifier>()
            return total + block.values.reduce(0) { sum, h in
                seen.insert(ObjectIdentifier(h.matrix)).inserted ? sum + h.size * h.size * 4 : sum
            }
        }
    }
}
