import Foundation
import Models
import Quantization
import TensorCore

/// Per-tensor ggml types under a size budget (`--target-bpw B`): every block linear is measured
/// under each candidate type and the types are chosen to minimise the summed loss at the budget.
///
/// - Sensitivity of a layer to a candidate type: ggml's importance-weighted quantization
///   (llama-quantize --imatrix, importance = diag H of the unquantized model's layer input,
///   `BaseModelHessians`) put in place of the layer alone, and the squared error it causes in its
///   block's output — the residual stream, where every layer's error lands in the same units —
///   over a few calibration windows (`measureWindows`), the other layers unquantized. Without
///   windows, the layer-output loss tr(Δ·H·Δᵀ) (`HessianLoss`), which cannot tell a query's error
///   (seen through a softmax) from a down projection's. Candidates whose blocks do not fit a layer
///   are replaced by their fallback type (Q4_K → Q5_0, …) and counted at its bits.
/// - Allocation: minimise Σ loss subject to Σ bits ≤ target × weights, over the block linears:
///   the Lagrangian relaxation (each layer takes argmin loss + λ·bits; λ bisected to the smallest
///   value that meets the budget), then a local search over single and paired changes of type
///   (`improve`) that spends what is left and trades bits between layers.
public struct SizeBudget: Sendable {
    /// The default candidates: llama.cpp's K-quants and Q8_0.
    public static let defaultCandidates: [GGMLBlockGrid] = [.q2_k, .q3_k, .q4_k, .q5_k, .q6_k, .q8_0]

    public struct Option: Sendable, Equatable {
        public var type: GGMLBlockGrid
        public var bits: Int
        public var loss: Double
    }

    public struct Layer: Sendable {
        public var name: String
        public var weights: Int
        /// Distinct stored types (after fallbacks), cheapest first.
        public var options: [Option]
    }

    public var layers: [Layer]
    /// Layers no candidate fits (rows not a multiple of 32): kept in f16 by the quantizers, their
    /// bits a fixed part of the budget.
    public var fixedWeights = 0
    public var fixedBits = 0

    /// Windows of the calibration set the block-output errors are measured on.
    public static let measureWindows = 4

    /// Measures every block linear of `model` under each candidate: on the block output over
    /// `windows` when given, else by the Hessian loss. A candidate type in which `storedBlocks`
    /// already holds a layer is measured with those blocks (kept as they are, no error).
    public init(model: any BlockwiseLanguageModel, hessians: BaseModelHessians, windows: [[Int32]]? = nil,
                candidates: [GGMLBlockGrid] = defaultCandidates, storedBlocks: StoredWeightBlocks? = nil,
                progress: ((_ block: Int, _ blocks: Int) -> Void)? = nil) throws {
        var layers: [Layer] = []
        var fixedW = 0, fixedB = 0
        let probe = try windows.map { try BlockOutputProbe(model: model, windows: $0) }
        for b in 0..<model.blockCount {
            probe?.startBlock(b)
            for linear in model.linears(ofBlock: b) {
                guard let hessian = hessians.perBlock[b][linear.name] else {
                    throw CalibrationSet.Failure(message: "\(linear.name): no Hessian from the calibration pass")
                }
                let weight = linear.weightForReading
                let rows = linear.outFeatures, columns = linear.inFeatures
                let importance = ImatrixQuantizer.importance(hessian)
                var options: [Option] = []
                for candidate in candidates {
                    guard let type = candidate.fitting(columns: columns), !options.contains(where: { $0.type == type }) else { continue }
                    let scheme = WeightScheme(ggml: type)
                    let q = try storedBlocks?.kept(linear.name, scheme: scheme, rows: rows, columns: columns)
                        ?? GGMLLayerQuantizer.quantize(weight, scheme: scheme, importance: importance)
                    let loss = probe.map { $0.error(replacing: linear, with: q.dequantized, original: weight) }
                        ?? HessianLoss.total(q.dequantized, weight, hessian)
                    options.append(Option(type: type, bits: BitAccounting(scheme: scheme, rows: rows, columns: columns).totalBits, loss: loss))
                }
                guard !options.isEmpty else {
                    fixedW += rows * columns
                    fixedB += rows * columns * WeightScheme.fullPrecisionBits
                    continue
                }
                layers.append(Layer(name: linear.name, weights: rows * columns, options: options.sorted { $0.bits < $1.bits }))
            }
            probe?.finishBlock(b)
            progress?(b + 1, model.blockCount)
        }
        self.layers = layers
        fixedWeights = fixedW
        fixedBits = fixedB
    }

    public init(layers: [Layer]) { self.layers = layers }

    /// The type of every layer for `targetBitsPerWeight` (bits over all block-linear weights);
    /// throws when even the cheapest types exceed it.
    public func allocate(targetBitsPerWeight target: Double) throws -> [String: GGMLBlockGrid] {
        let weights = layers.reduce(0) { $0 + $1.weights } + fixedWeights
        let budget = Int((target * Double(weights)).rounded(.down)) - fixedBits
        let cheapest = layers.reduce(0) { $0 + $1.options[0].bits }
        guard !layers.isEmpty else { return [:] }
        guard cheapest <= budget else {
            throw CalibrationSet.Failure(message: String(format: "--target-bpw %.4g is below the cheapest candidate mix (%.4f bits per weight)",
                                                         target, Double(cheapest + fixedBits) / Double(weights)))
        }
        func pick(_ lambda: Double) -> [Int] {
            layers.map { layer in
                var best = 0
                for (i, o) in layer.options.enumerated() where o.loss + lambda * Double(o.bits) < layer.options[best].loss + lambda * Double(layer.options[best].bits) {
                    best = i
                }
                return best
            }
        }
        func bits(_ choice: [Int]) -> Int { zip(layers, choice).reduce(0) { $0 + $1.0.options[$1.1].bits } }
        var choice = pick(0)
        if bits(choice) > budget {
            var lo = 0.0, hi = 1.0
            while bits(pick(hi)) > budget { hi *= 2 }
            for _ in 0..<100 {
                let mid = (lo + hi) / 2
                if bits(pick(mid)) > budget { lo = mid } else { hi = mid }
            }
            choice = pick(hi)
            choice = improve(choice, budget: budget)
        }
        var out: [String: GGMLBlockGrid] = [:]
        for (layer, c) in zip(layers, choice) { out[layer.name] = layer.options[c].type }
        return out
    }

    /// Local search from the Lagrangian's choice: repeatedly applies the move that lowers the
    /// summed loss most while the bits stay within the budget — one layer changing option, or two
    /// layers changing together (one gives bits up for the other) — until none does.
    func improve(_ start: [Int], budget: Int) -> [Int] {
        var choice = start
        var used = zip(layers, choice).reduce(0) { $0 + $1.0.options[$1.1].bits }
        for _ in 0..<10_000 {
            var bestDelta = -1e-12 * max(1, layers.reduce(0) { $0 + $1.options[0].loss })
            var move: [(layer: Int, option: Int)] = []
            // single changes
            var singles: [(layer: Int, option: Int, bits: Int, loss: Double)] = []
            for (l, layer) in layers.enumerated() {
                let current = layer.options[choice[l]]
                for (i, o) in layer.options.enumerated() where i != choice[l] {
                    let dBits = o.bits - current.bits, dLoss = o.loss - current.loss
                    singles.append((l, i, dBits, dLoss))
                    if used + dBits <= budget && dLoss < bestDelta { bestDelta = dLoss; move = [(l, i)] }
                }
            }
            // pairs: a change that frees bits with one that spends them
            let freeing = singles.filter { $0.bits < 0 }, spending = singles.filter { $0.bits > 0 && $0.loss < 0 }
            for f in freeing {
                for s in spending where s.layer != f.layer && used + f.bits + s.bits <= budget {
                    let d = f.loss + s.loss
                    if d < bestDelta { bestDelta = d; move = [(f.layer, f.option), (s.layer, s.option)] }
                }
            }
            if move.isEmpty { break }
            for m in move {
                used += layers[m.layer].options[m.option].bits - layers[m.layer].options[choice[m.layer]].bits
                choice[m.layer] = m.option
            }
        }
        return choice
    }
}
