import Evaluation
import Experiment
import Foundation
import Models
import Testing
@testable import Study

/// The runner on the real default model (SmolLM2-135M, Q4_1) with a tiny evaluation: 2 windows
/// of 128 tokens of wiki, KL on the same windows.
@Suite("Study runner on SmolLM2-135M", .serialized)
struct StudyRunnerTests {
    static let yaml = """
        name: runner
        models: [smollm2-135m]
        methods: [rtn]
        schemes: [{bits: 4, granularity: [row, g32]}]
        evaluation: {context: 128, perplexity: {corpora: [wiki], max_windows: 2}, kl: {corpora: [wiki]}}
        """

    @Test func runsRecordsAndResumes() throws {
        let file = try StudyFile.parse(Self.yaml, source: "runner.yaml")
        let loaded = try ModelLoader.load(path: "smollm2-135m")
        let grid = try StudyGrid.expand(file, source: "runner.yaml", shape: { _ in ModelShape(loaded) })
        #expect(grid.experiments.count == 3)
        let dir = try Scratch.directory()
        let store = try ResultsStore(path: dir.appendingPathComponent("r.db").path)
        let runner = StudyRunner(study: "runner", store: store, showProgress: false)
        let first = try runner.run(grid.experiments, estimate: { _ in 1 })
        #expect(first.ran == 3 && first.skipped == 0 && first.failed.isEmpty)
        let rows = try store.records()
        let base = try #require(rows.first { $0.isBase })
        let row = try #require(rows.first { $0.spec == "w4a16-row-asym" })
        let g32 = try #require(rows.first { $0.spec == "w4a16-g32-asym" })
        // The base row shows its source's storage: Q4_1 blocks are 20 bytes per 32 weights = 5 bits.
        #expect(base.effectiveBits == 5 && base.klDivergence == nil && base.architecture == "llama")
        #expect(base.bytes == 106_168_320 * 5 / 8)
        #expect((base.modelBytes ?? 0) > base.bytes && (base.parameters ?? 0) > 134_000_000)
        // Per-row 4-bit with f16 scale + zero: 4 + 32/576 and 4 + 32/1536 bits → between 4.02 and 4.06.
        #expect(row.effectiveBits > 4.02 && row.effectiveBits < 4.06)
        #expect(g32.effectiveBits == 5)
        // Bits as stored: a GPTQ checkpoint packs zeros in 4 bits (4 + 20/32 + g_idx); Q4_1 holds g32 asym in 5.
        #expect(g32.ggufType == "Q4_1" && g32.ggufBits == 5 && row.ggufType == nil)
        #expect(try #require(g32.gptqBits) > 4.625 && (try #require(g32.gptqBits)) < 4.7)
        // Measured, not guessed: an integer zero-point cannot represent Q4_1's float minimum, so RTN at
        // w4 g32 asym reproduces few of the base weights, and the row is not flagged as grid-aligned.
        #expect(!g32.gridAligned && !row.gridAligned)
        #expect(try #require(g32.gridFit) < 0.5)
        #expect(g32.planID == base.planID && g32.planID == grid.experiments[0].planID)
        // Per-row 4-bit RTN costs perplexity and diverges from the base; group-32 close to the model's
        // own grid costs far less.
        let basePPL = try #require(base.meanPerplexity), rowPPL = try #require(row.meanPerplexity)
        let g32PPL = try #require(g32.meanPerplexity)
        #expect(rowPPL > basePPL * 1.05)
        #expect(g32PPL - basePPL < 0.5 * (rowPPL - basePPL))
        let rowKL = try #require(row.klDivergence), g32KL = try #require(g32.klDivergence)
        #expect(rowKL > g32KL)
        #expect(try #require(g32.top1Agreement) > (try #require(row.top1Agreement)))
        #expect(row.configJSON == grid.experiments.first { $0.recipe?.spec == "w4a16-row-asym" }?.canonicalJSON)
        // Every row keeps its per-window values (what paired intervals are computed from).
        let metrics = try #require(row.metrics)
        #expect(metrics.perplexity["wiki"]?.windowNLL?.count == 2 && metrics.klWindows?["wiki"]?.kl.count == 2)
        let windowMean = zip(metrics.perplexity["wiki"]!.windowNLL!, metrics.perplexity["wiki"]!.windowTokens!)
            .reduce(0.0) { $0 + $1.0 } / Double(metrics.perplexity["wiki"]!.tokens)
        #expect(abs(exp(windowMean) - rowPPL) < 1e-9 * rowPPL)

        // A second run finds everything done.
        let second = try runner.run(grid.experiments, estimate: { _ in 1 })
        #expect(second.ran == 0 && second.skipped == 3)
        #expect(try store.records() == rows)
    }

    /// The base model's logits for KL are computed once per model and evaluation plan into the
    /// cache directory and read back by every later experiment and by another runner (a shard with
    /// its own database): one file, never rewritten, and the same KL in both databases.
    @Test func baseLogitsAreComputedOnceAndShared() throws {
        let file = try StudyFile.parse(Self.yaml, source: "runner.yaml")
        let loaded = try ModelLoader.load(path: "smollm2-135m")
        let grid = try StudyGrid.expand(file, source: "runner.yaml", shape: { _ in ModelShape(loaded) })
        let dir = try Scratch.directory()
        let cache = dir.appendingPathComponent("cache").path
        let quantized = grid.experiments.filter { $0.recipe != nil }
        #expect(quantized.count == 2)
        let first = try ResultsStore(path: dir.appendingPathComponent("a.db").path)
        _ = try StudyRunner(study: "runner", store: first, showProgress: false, cacheDirectory: cache)
            .run(quantized, estimate: { _ in 1 })
        let files = try FileManager.default.contentsOfDirectory(atPath: cache).filter { $0.hasPrefix("base-logits-") }
        #expect(files.count == 1, "\(files)")
        let path = cache + "/" + files[0]
        let stamp = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
        // 2 windows × 127 scored rows × 49,152 f16 values
        let size = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber).intValue
        #expect(size > 2 * 127 * 49_152 * 2 && size < 2 * 127 * 49_152 * 2 + 16_384)
        let second = try ResultsStore(path: dir.appendingPathComponent("b.db").path)
        _ = try StudyRunner(study: "runner", store: second, showProgress: false, cacheDirectory: cache)
            .run(Array(quantized.reversed()), estimate: { _ in 1 })
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date == stamp)
        let after = try FileManager.default.contentsOfDirectory(atPath: cache)
        #expect(after.filter { $0.hasPrefix("base-logits-") } == files)
        // the tokenized wiki text is kept beside it, and nothing half-written is left behind
        #expect(after.contains { $0.hasPrefix("tokens-") } && !after.contains { $0.contains(".partial-") })
        let a = try first.records(), b = try second.records()
        for row in a {
            let other = try #require(b.first { $0.spec == row.spec })
            #expect(row.klDivergence != nil && row.klDivergence == other.klDivergence)
            #expect(row.top1Agreement == other.top1Agreement && row.meanPerplexity == other.meanPerplexity)
        }
    }

    /// Restoring the snapshot gives back the exact base model after quantization; its copies live
    /// in a temporary file, not in memory.
    @Test func snapshotRestoresTheBaseWeightsExactly() throws {
        let loaded = try ModelLoader.load(path: "smollm2-135m")
        let snapshot = WeightSnapshot(loaded.model)
        #expect(snapshot.isFileBacked)
        let window: [[Int32]] = [Array(loaded.tokenizer.encode("The quick brown fox jumps over the lazy dog.", addSpecial: true).prefix(12))]
        func logits() throws -> [Float] {
            var out: [Float] = []
            try loaded.model.forward(windows: window, observer: nil) { _, rows, values in
                out += Array(UnsafeBufferPointer(start: values, count: rows * loaded.model.vocabularySize))
            }
            return out
        }
        let before = try logits()
        _ = try QuantRecipeFixture.rtn2bit.run(on: loaded.model, calibration: nil)
        let quantized = try logits()
        #expect(quantized != before)
        snapshot.restore()
        #expect(try logits() == before)   // bit-identical: the same weights, the same kernels
    }
}

extension StudyRunnerTests {
    /// Non-sequential calibration: the base model's Hessians, computed once, give exactly the
    /// sequential result on block 0 (same inputs there) and a different one later (the sequential
    /// pipeline feeds later blocks the quantized blocks' outputs).
    @Test func baseHessiansMatchSequentialOnTheFirstBlockOnly() throws {
        let loaded = try ModelLoader.load(path: "smollm2-135m")
        let snapshot = WeightSnapshot(loaded.model)
        let text = try Corpora.load("wiki", assets: AssetLocator()).calibration
        // One probe per block: block 0 then sees exactly the unquantized model's inputs, as base Hessians do
        // (true-sequential recalibrates o_proj and the MLP on the quantized layers before them).
        let settings = CalibrationSettings(corpus: "wiki", samples: 4, length: 64, trueSequential: false)
        let calibration = try CalibrationSet(tokens: loaded.tokenizer.encode(text, addSpecial: true), count: 4, length: 64)
        func weights(_ block: Int) -> [[Float]] { loaded.model.linears(ofBlock: block).map(\.weight.array) }

        let sequential = QuantRecipe(spec: "w4a16-row-asym", method: "gptq", calibration: settings)
        _ = try sequential.run(on: loaded.model, calibration: calibration)
        let sequentialFirst = weights(0), sequentialLater = weights(5)

        snapshot.restore()
        let shared = try BaseModelHessians(model: loaded.model, calibration: calibration)
        #expect(shared.perBlock.count == loaded.model.blockCount)
        // q/k/v share one Hessian, gate/up another: 4 distinct inputs per Llama block.
        #expect(Set(shared.perBlock[0].values.map { ObjectIdentifier($0.matrix) }).count == 4)
        var nonSequential = sequential
        nonSequential.calibration?.sequential = false
        #expect(throws: CalibrationSet.Failure.self) { try nonSequential.run(on: loaded.model, calibration: calibration) }
        snapshot.restore()
        _ = try nonSequential.run(on: loaded.model, calibration: calibration, baseHessians: shared)
        #expect(weights(0) == sequentialFirst)
        #expect(weights(5) != sequentialLater)
        // The shared Hessians are not consumed: a second recipe gets the same block-0 result.
        snapshot.restore()
        _ = try nonSequential.run(on: loaded.model, calibration: calibration, baseHessians: shared)
        #expect(weights(0) == sequentialFirst)
    }
}

import Calibration
enum QuantRecipeFixture {
    static let rtn2bit = QuantRecipe(spec: "w2a8-g64-asym-tok", method: "rtn")
}
