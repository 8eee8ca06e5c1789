import Distillation
import Experiment
import Foundation

/// A rough cost model for `--dry-run` and the ETA, fitted to the quick study on this project's idle
/// 2-core machine (SmolLM2-135M: base evaluation 22.5 s, RTN experiment ~28 s, GPTQ at 32 × 512
/// calibration tokens ~47 s to quantize). The runner rescales the remaining estimate by how fast
/// the finished experiments actually went (a busy machine is slower).
public struct TimeEstimate: Sendable {
    /// Forward throughput ≈ forwardConstant / weights (tokens per second).
    public var forwardConstant = 2.8e11
    /// Sustained FLOP/s of the Hessian accumulation (ssyrk).
    public var hessianFlops = 1e11
    /// RTN weights per second.
    public var rtnWeightsPerSecond = 1e8
    /// Tokens per held-out corpus when its windows are not limited (≈ characters / 4).
    public var corpusTokens: [String: Int] = [:]
    /// Tokens run through the model per zero-shot document (context shared by its choices).
    public var tokensPerDocument = 150.0
    /// Documents per zero-shot task when not limited.
    public var taskDocuments: [String: Int] = [:]
    /// ZeroQuant-Global: cost of one training token (forward, backward, Adam) in tokens of the
    /// inference forward pass. Fitted on SmolLM2-135M (zq-global, 8 × 512 windows, 4 steps: 160 s
    /// to quantize; 32 × 512, 25 steps × 4: 1452 s; both on a shared 2-core AMD EPYC Zen 3, AVX2 only): ≈ 20, not the
    /// 3 of a FLOP count (generic f32 kernels, the full T × T attention).
    public var trainingTokenCost = 20.0

    public init() {}

    /// Expected seconds of one experiment on a model of this shape.
    public func seconds(_ experiment: ExperimentConfig, shape: ModelShape?) -> Double {
        guard let shape else { return 60 }
        let weights = Double(max(shape.blockWeights + shape.headWeights, 1))
        let rate = forwardConstant / weights
        let plan = experiment.evaluation
        let context = min(plan.context ?? 2048, shape.maxContext)
        func tokens(_ corpus: String, _ windows: Int?) -> Double {
            let available = corpusTokens[corpus] ?? 100_000
            let all = available / context
            return Double(min(windows ?? all, all) * context)
        }
        var seconds = 2.0   // restoring weights, bookkeeping
        seconds += plan.corpora.reduce(0) { $0 + tokens($1, plan.maxWindows) } / rate
        if experiment.recipe != nil {   // the base row measures no KL
            seconds += plan.klCorpora.reduce(0) { $0 + 2 * tokens($1, plan.klMaxWindows) } / rate
        }
        seconds += plan.zeroShotTasks.reduce(0) { total, task in
            let docs = Double(min(plan.limit ?? Int.max, taskDocuments[task] ?? 1000))
            return total + docs * tokensPerDocument / rate
        }
        if let recipe = experiment.recipe {
            var quantize = Double(shape.blockWeights) / rtnWeightsPerSecond, logitPass = 0.0
            if let c = recipe.calibration {
                let calibrationTokens = Double(c.samples * c.length)
                // Block runs: one probe (or one per input group, true-sequential: 4 in the families here) + the real pass.
                quantize += (c.isTrueSequential ? 5 : 2) * calibrationTokens / rate
                let hessians = calibrationTokens * 2 * 0.75 * shape.sumSquaredInputs / hessianFlops  // q/k/v, gate/up share
                if !c.isSequential {
                    quantize = Double(shape.blockWeights) / rtnWeightsPerSecond + 0.1 * hessians  // shared Hessians: solves only
                } else if recipe.methodNeedsHessian {
                    quantize += hessians
                }
                if recipe.method == "zq-local" { quantize *= 1.5 }
                if let z = recipe.zqGlobal {
                    // Per block: teacher and student passes and the held-out losses (≈ 4 passes over the
                    // windows), plus steps × batch windows trained (`trainingTokenCost` each).
                    quantize = Double(shape.blockWeights) / rtnWeightsPerSecond
                        + (4 * calibrationTokens + trainingTokenCost * Double(z.steps * min(z.batch, c.samples) * c.length)) / rate
                    // The logit pass: every step trains `batch` windows through all blocks at once.
                    if z.logitSteps > 0 {
                        logitPass += trainingTokenCost * Double(z.logitSteps * min(z.batch, c.samples) * c.length) / rate
                    }
                }
            }
            if let awq = recipe.awq, let c = recipe.calibration {
                // AWQ's search: one recording pass, then per exponent the attention and the MLP of
                // every block on the calibration tokens (≈ one forward pass each; families whose
                // sub-modules cannot run alone run whole blocks, twice that).
                quantize += Double(1 + awq.grid) * Double(c.samples * c.length) / rate
            }
            if recipe.smoothQuant != nil, let c = recipe.calibration {
                // SmoothQuant's statistics: one forward pass over the calibration tokens.
                quantize += Double(c.samples * c.length) / rate
            }
            if recipe.lorcRank != nil { quantize *= 1.2 }
            seconds += quantize + logitPass
        }
        return seconds
    }
}
