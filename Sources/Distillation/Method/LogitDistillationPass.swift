import Foundation
import Models
import TensorCore

/// ZeroQuant-Global's optional last stage: after the block-by-block stage, every quantized linear
/// of the model learns at once to make the quantized model's output distribution match the
/// full-precision model's,
///
///     min over all W'   mean over tokens of KL( softmax(z_teacher) ‖ softmax(z_student(Q(W'))) )
///
/// by backpropagating through the head and every block (`ModelChainGrad`), with the same
/// straight-through latents and Adam (state reset; linear warm-up over the first tenth, cosine
/// decay over `logitSteps`) as the block stage. Minibatches of `batch` training windows are accumulated one window at a time (one block
/// cache per block for one window). The iterate is chosen as in the block stage: the KL on the
/// held-out calibration windows at the start and at steps/4, /2, 3/4 and the end, lowest kept.
struct LogitDistillationPass {
    let steps: Int
    let learningRate: Double
    let batch: Int

    struct Outcome {
        /// Mean KL per token on the held-out windows, before and at the iterate kept.
        var before: Double, after: Double
        var bestStep: Int
    }

    /// Trains `latents[b][i]` (block b's linear i) through `chain`; `embeddings` (N·T, d) are the
    /// windows' token embeddings, `teacher` (N·T, d) the teacher's normalized final states.
    func run(chain: ModelChainGrad<Float>, latents: [[LatentQuantizedWeight]], embeddings: Tensor, teacher: Tensor,
             windows count: Int, inputTransform: InputTransform<Float>?, generator: inout SplitMix64,
             progress: ((_ step: Int) -> Void)?) -> Outcome {
        let tokens = chain.tokens, rowsPerWindow = tokens * chain.d
        let (training, validation) = ZeroQuantGlobal.windowSplit(count)
        let batch = min(self.batch, training.count)
        let weights = latents.map { $0.map { UnsafePointer($0.quantized.pointer) } }
        let gradients = latents.map { $0.map(\.gradient.pointer) }
        func loss(window w: Int, scale: Float, train: Bool) -> Double {
            chain.loss(embeddings: embeddings.pointer + w * rowsPerWindow, teacher: teacher.pointer + w * rowsPerWindow,
                       weights: weights, scale: scale, inputTransform: inputTransform, gradients: train ? gradients : nil)
        }
        func validationKL() -> Double {
            validation.reduce(0) { $0 + loss(window: $1, scale: 1, train: false) } / Double(validation.count * tokens)
        }
        let before = validationKL()
        var best = (kl: before, step: 0, state: latents.map { $0.map { $0.snapshot() } })
        guard steps > 0 else { return Outcome(before: before, after: before, bestStep: 0) }
        for latent in latents.joined() { latent.resetOptimizer() }
        let checkpoints = Set((1...4).map { max(1, steps * $0 / 4) })
        var order: [Int] = [], cursor = 0
        for t in 1...steps {
            if cursor + batch > order.count {
                order = training.shuffled(using: &generator)
                cursor = 0
            }
            for latent in latents.joined() { latent.gradient.pointer.update(repeating: 0, count: latent.rows * latent.columns) }
            for w in order[cursor..<cursor + batch] { _ = loss(window: w, scale: 1 / Float(batch * tokens), train: true) }
            cursor += batch
            // Linear warm-up over the first tenth (Adam's first steps move every latent by the full
            // rate, which flips the codes of those that the block stage left near a boundary),
            // then cosine decay.
            let warmUp = min(1, Double(t) / Double(max(1, steps / 10)))
            let decay = warmUp * 0.5 * (1 + cos(Double.pi * Double(t - 1) / Double(steps)))
            for latent in latents.joined() { latent.step(t: t, rate: Float(learningRate * decay), scaleRate: 0) }
            if checkpoints.contains(t) {
                let kl = validationKL()
                if kl < best.kl { best = (kl, t, latents.map { $0.map { $0.snapshot() } }) }
            }
            progress?(t)
        }
        if best.step != steps {
            for (block, states) in zip(latents, best.state) {
                for (latent, state) in zip(block, states) { latent.restore(state) }
            }
        }
        return Outcome(before: before, after: best.kl, bestStep: best.step)
    }
}
