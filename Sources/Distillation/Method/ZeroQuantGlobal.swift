import Foundation
import Models
import Quantization
import TensorCore

/// A model whose blocks can be trained: what ZeroQuant-Global needs.
public protocol DistillableModel: BlockwiseLanguageModel {
    /// Block `index` as a trainable Float block for windows of up to `tokens` tokens, with the
    /// same linears, in the same order, as `linears(ofBlock:)`.
    func distillableBlock(_ index: Int, tokens: Int) -> any DistillableBlock<Float>
    /// The final norm and LM head, for the optional whole-model logit pass.
    func outputHead() throws -> OutputHeadWeights
}

/// ZeroQuant-Global (Yao et al., 2022, "layer-by-layer knowledge distillation", LKD; the ZeroQuant-V2
/// study's "ZQ-Global"): block by block, the quantized student block is trained so that its output
/// reproduces the full-precision teacher's:
///
///     min over W'   Σ_windows ‖ student_b(x̂_b; Q(W')) − teacher_b(x_b) ‖² / (N·d)
///
/// where x_b is the full-precision model's hidden state entering block b (the teacher stream) and
/// x̂_b the student's, i.e. the output of the already-quantized blocks before b — so each block
/// also learns to undo the error of the blocks before it. Q is the scheme's quantizer on the RTN
/// grid of the original weights, learned through the straight-through estimator, optionally with
/// the group scales (`LatentQuantizedWeight`); Adam with cosine decay over `steps` minibatches of
/// `batch` training windows drawn without replacement (reshuffled each epoch, seeded).
/// Norm weights and biases are not trained (they are not quantized).
///
/// Held-out choice of the iterate: every 8th calibration window (at least one) is not trained on;
/// the block's loss on those windows is measured at RTN and at steps/4, steps/2, 3·steps/4 and
/// steps, and the block keeps the iterate with the lowest — so a block is never worse than RTN on
/// text it was not fitted to, and a small calibration set cannot be overfitted unseen. Activation fake-quantization (dynamic) is applied in the student's
/// forward pass with a straight-through gradient, as deployed.
///
/// Stats per linear (shared by the block's linears): "zqg.loss_rtn", "zqg.loss_final" (block MSE
/// on the held-out windows), "zqg.loss_relative_final" (÷ mean square of the target),
/// "zqg.steps", "zqg.best_step" (the iterate kept, 0 = RTN), "zqg.kept" (1 trained, 0 RTN kept),
/// "seconds" (the block's time).
///
/// Optionally (`logitSteps` > 0) a final whole-model pass follows: all quantized linears learn at
/// once to match the full-precision model's output distribution (`LogitDistillationPass`); the
/// latents of every block are kept until then. Its stats, the same on every linear:
/// "zqg.logit_kl_before", "zqg.logit_kl_final" (mean KL per token on the held-out windows, after
/// the block stage and at the iterate kept), "zqg.logit_steps", "zqg.logit_best_step",
/// "zqg.logit_seconds".
public struct ZeroQuantGlobal {
    public let settings: ZeroQuantGlobalSettings
    public let scheme: WeightScheme
    public let activation: ActivationScheme

    public init(settings: ZeroQuantGlobalSettings, scheme: WeightScheme, activation: ActivationScheme = .none) {
        self.settings = settings; self.scheme = scheme; self.activation = activation
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// One quantized linear: its module name and the method's result.
    public struct Result {
        public let name: String
        public let weight: QuantizedWeight
    }

    /// Quantizes every block linear of `model` in place; returns them in block order.
    public func run(model: any DistillableModel, windows: [[Int32]],
                    progress: ((_ block: Int, _ blocks: Int) -> Void)? = nil) throws -> [Result] {
        if let problem = settings.problem { throw Failure(description: problem) }
        if activation.isQuantized && activation.isStatic {
            throw Failure(description: "zq-global trains with dynamic activation quantization; static activation ranges are not supported")
        }
        guard let tokens = windows.first?.count, tokens > 0 else { throw Failure(description: "zq-global needs calibration windows") }
        let count = windows.count
        let student = try model.embed(windows: windows)     // x̂ (N, d)
        let teacher = student.copied()                        // x (N, d)
        let logitPass = settings.logitSteps > 0
        let head = logitPass ? LogitKLGrad<Float>(try model.outputHead()) : nil
        let embeddings = logitPass ? student.copied() : nil
        var trained: [(block: any DistillableBlock<Float>, linears: [Linear], latents: [LatentQuantizedWeight],
                       stats: [String: Double])] = []
        var results: [Result] = []
        var generator = SplitMix64(seed: settings.seed)
        // Dynamic activation fake-quantization: in the student's training passes and, once trained, in the model.
        let transform: Linear.InputTransform? = activation.isQuantized ? { @Sendable [activation] x, rows, columns in
            ActivationQuantizer.fakeQuantize(x, rows: rows, columns: columns, scheme: activation, staticRange: nil)
        } : nil
        for b in 0..<model.blockCount {
            let started = ContinuousClock.now
            let block = model.distillableBlock(b, tokens: tokens)
            let linears = model.linears(ofBlock: b)
            guard block.linearShapes.map(\.name) == linears.map(\.name) else {
                throw Failure(description: "block \(b): trainable block's linears \(block.linearShapes.map(\.name)) differ from the model's")
            }
            // The teacher's output of block b (full-precision weights, still in place): the target.
            SequenceRows.withWindows(count, tokens: tokens) {
                model.runBlock(b, hidden: teacher, windows: count, tokens: tokens, observer: nil)
            }
            let latents = try linears.map { linear throws(QuantizationError) in
                try LatentQuantizedWeight(weight: linear.weight, scheme: scheme, learnScales: settings.learnScales)
            }
            let outcome = train(block, latents: latents, student: student, target: teacher, windows: count, tokens: tokens,
                                transform: transform, generator: &generator)
            let seconds = (ContinuousClock.now - started).seconds
            let stats: [String: Double] = [
                "zqg.loss_rtn": outcome.rtnLoss, "zqg.loss_final": outcome.finalLoss,
                "zqg.loss_relative_final": outcome.finalLoss / max(outcome.targetMeanSquare, .leastNormalMagnitude),
                "zqg.steps": Double(settings.steps), "zqg.kept": outcome.kept ? 1 : 0,
                "zqg.best_step": Double(outcome.bestStep), "seconds": seconds,
            ]
            let blockResults = install(linears: linears, latents: latents, stats: stats, transform: transform)
            if logitPass {
                trained.append((block, linears, latents, stats))
            } else {
                results += blockResults
            }
            // The student's stream moves through the quantized block.
            SequenceRows.withWindows(count, tokens: tokens) {
                model.runBlock(b, hidden: student, windows: count, tokens: tokens, observer: nil)
            }
            progress?(b + 1, model.blockCount + settings.logitSteps)
        }
        guard let head, let embeddings else { return results }
        // The optional whole-model pass: teacher = the full-precision model's normalized final states.
        let started = ContinuousClock.now
        let scratch = head.makeScratch(rows: tokens)
        for w in 0..<count {
            let rows = teacher.pointer + w * tokens * model.hiddenSize
            head.normalize(rows, rows: tokens, into: rows, scratch: scratch)
        }
        let chain = ModelChainGrad(blocks: trained.map(\.block), head: head, tokens: tokens)
        let outcome = LogitDistillationPass(steps: settings.logitSteps, learningRate: settings.logitLearningRate, batch: settings.batch)
            .run(chain: chain, latents: trained.map(\.latents), embeddings: embeddings, teacher: teacher, windows: count,
                 inputTransform: transform, generator: &generator,
                 progress: { progress?(model.blockCount + $0, model.blockCount + settings.logitSteps) })
        let seconds = (ContinuousClock.now - started).seconds
        for entry in trained {
            var stats = entry.stats
            stats["zqg.logit_kl_before"] = outcome.before
            stats["zqg.logit_kl_final"] = outcome.after
            stats["zqg.logit_steps"] = Double(settings.logitSteps)
            stats["zqg.logit_best_step"] = Double(outcome.bestStep)
            stats["zqg.logit_seconds"] = seconds
            results += install(linears: entry.linears, latents: entry.latents, stats: stats, transform: transform)
        }
        return results
    }

    /// Puts the latents' codes in place as the linears' weights (with the activation transform)
    /// and returns them as results.
    private func install(linears: [Linear], latents: [LatentQuantizedWeight], stats: [String: Double],
                         transform: Linear.InputTransform?) -> [Result] {
        zip(linears, latents).map { linear, latent in
            let codes = latent.finish()
            let dequantized = codes.dequantized()
            linear.weight = dequantized
            linear.inputTransform = transform
            return Result(name: linear.name, weight: QuantizedWeight(
                dequantized: dequantized, codes: codes,
                bits: BitAccounting(scheme: scheme, rows: codes.rows, columns: codes.columns), stats: stats).installed())
        }
    }

    struct Outcome {
        var rtnLoss: Double, finalLoss: Double, targetMeanSquare: Double, kept: Bool, bestStep: Int
    }

    /// The calibration windows trained on, and those held out of training to choose the iterate:
    /// every 8th window (at least one; with a single window, that window is both).
    static func windowSplit(_ count: Int) -> (training: [Int], validation: [Int]) {
        guard count >= 2 else { return ([0], [0]) }
        let validation = Array(stride(from: count - 1, through: 0, by: -8).reversed())
        let held = Set(validation)
        return ((0..<count).filter { !held.contains($0) }, validation)
    }

    /// Trains one block's latents; leaves them at the iterate (RTN, or one of four checkpoints)
    /// with the lowest loss on the held-out windows.
    private func train<B: DistillableBlock>(_ block: B, latents: [LatentQuantizedWeight], student: Tensor, target: Tensor,
                                            windows count: Int, tokens: Int, transform: InputTransform<Float>?,
                                            generator: inout SplitMix64) -> Outcome where B.Scalar == Float {
        let d = block.hiddenSize, rowsPerWindow = tokens * d
        let (training, validation) = Self.windowSplit(count)
        let batch = min(settings.batch, training.count)
        var caches: [Int: B.Cache] = [:]
        func cache(_ windows: Int) -> B.Cache {
            if let c = caches[windows] { return c }
            let c = block.makeCache(windows: windows, tokens: tokens)
            caches[windows] = c
            return c
        }
        let input = FloatBuffer(count: batch * rowsPerWindow, zeroed: false)
        let goal = FloatBuffer(count: batch * rowsPerWindow, zeroed: false)
        let output = FloatBuffer(count: batch * rowsPerWindow, zeroed: false)
        let weights = latents.map { UnsafePointer($0.quantized.pointer) }
        /// Gathers `windows` into the batch buffers.
        func gather(_ windows: ArraySlice<Int>) {
            for (slot, w) in windows.enumerated() {
                (input.pointer + slot * rowsPerWindow).update(from: student.pointer + w * rowsPerWindow, count: rowsPerWindow)
                (goal.pointer + slot * rowsPerWindow).update(from: target.pointer + w * rowsPerWindow, count: rowsPerWindow)
            }
        }
        // Block MSE over the held-out windows.
        func validationLoss() -> Double {
            var total = 0.0, i = 0
            while i < validation.count {
                let part = validation[i..<min(i + batch, validation.count)]
                gather(part)
                block.forward(input.pointer, windows: part.count, tokens: tokens, weights: weights, cache: cache(part.count),
                              inputTransform: transform, into: output.pointer)
                total += squaredError(output.pointer, goal.pointer, part.count * rowsPerWindow)
                i += part.count
            }
            return total / Double(validation.count * rowsPerWindow)
        }
        let rtnLoss = validationLoss()
        var targetSquare = 0.0
        for w in validation { targetSquare += squaredError(target.pointer + w * rowsPerWindow, nil, rowsPerWindow) }
        let targetMeanSquare = targetSquare / Double(validation.count * rowsPerWindow)
        guard settings.steps > 0, rtnLoss > 0 else {
            return Outcome(rtnLoss: rtnLoss, finalLoss: rtnLoss, targetMeanSquare: targetMeanSquare, kept: false, bestStep: 0)
        }
        var best = (loss: rtnLoss, step: 0, state: latents.map { $0.snapshot() })
        let checkpoints = Set((1...4).map { max(1, settings.steps * $0 / 4) })
        let dy = FloatBuffer(count: batch * rowsPerWindow, zeroed: false)
        let gradients = latents.map { $0.gradient.pointer }
        var order: [Int] = [], cursor = 0
        let trainCache = cache(batch)
        for t in 1...settings.steps {
            if cursor + batch > order.count {
                order = training.shuffled(using: &generator)
                cursor = 0
            }
            gather(order[cursor..<cursor + batch])
            cursor += batch
            block.forward(input.pointer, windows: batch, tokens: tokens, weights: weights, cache: trainCache,
                          inputTransform: transform, into: output.pointer)
            // L = Σ (y − t)² / (B·T·d)  →  dy = 2 (y − t) / (B·T·d)
            let n = batch * rowsPerWindow, factor = 2 / Float(n)
            for i in 0..<n { dy.pointer[i] = factor * (output.pointer[i] - goal.pointer[i]) }
            block.backward(dy.pointer, cache: trainCache, weights: weights, weightGradients: gradients, dx: nil)
            let decay = 0.5 * (1 + cos(Double.pi * Double(t - 1) / Double(settings.steps)))
            for latent in latents {
                latent.step(t: t, rate: Float(settings.learningRate * decay), scaleRate: Float(settings.scaleLearningRate * decay))
            }
            if checkpoints.contains(t) {
                let loss = validationLoss()
                if loss < best.loss { best = (loss, t, latents.map { $0.snapshot() }) }
            }
        }
        if best.step != settings.steps {
            for (latent, snapshot) in zip(latents, best.state) { latent.restore(snapshot) }
        }
        return Outcome(rtnLoss: rtnLoss, finalLoss: best.loss, targetMeanSquare: targetMeanSquare, kept: best.step > 0,
                       bestStep: best.step)
    }
}

/// Σ (a − b)² over `count` values (b nil: Σ a²), in double.
func squaredError(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>?, _ count: Int) -> Double {
    var total = 0.0, i = 0
    while i + 16 <= count {
        var d = SIMDMath.load16(a + i)
        if let b { d -= SIMDMath.load16(b + i) }
        total += Double((d * d).sum())
        i += 16
    }
    while i < count {
        let d = a[i] - (b?[i] ?? 0)
        total += Double(d * d)
        i += 1
    }
    return total
}
