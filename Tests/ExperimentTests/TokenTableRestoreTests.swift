import Calibration
import Foundation
import ModelFormats
import Models
import Experiment
import Testing

/// A study restores a quantized token table between experiments: the snapshot keeps the table
/// object, not a tensor read from it, so forward passes in between (which pack the table and let
/// its row-major copy go) cannot make the restore write into a stale copy. Logits after restoring
/// equal the base logits exactly (the same values computed the same way).
@Suite struct TokenTableRestoreTests {
    static let tinyLlama: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/Fixtures/models/tiny-llama"
    }()

    @Test func quantizedTiedTableIsRestoredAfterForwardPasses() throws {
        let dir = try HFModelDirectory(path: Self.tinyLlama)
        let h = try LlamaHyperparameters(config: try LlamaConfig(contentsOf: dir.configPath), file: dir.configPath)
        let model = try LlamaModel(hyper: h, weights: DirectWeights(try dir.openTensors()))
        let window: [Int32] = (0..<24).map { Int32(($0 * 37) % model.vocabularySize) }
        func logits() throws -> [Float] {
            var out: [Float] = []
            try model.forward(windows: [window], observer: nil) { _, rows, values in
                out += UnsafeBufferPointer(start: values, count: rows * model.vocabularySize)
            }
            return out
        }
        let base = try logits()
        let snapshot = WeightSnapshot(model)
        let recipe = QuantRecipe(spec: "w4a16-g32-asym", method: "rtn", embedding: "w3a16-row-sym")
        let tables = recipe.tokenTablesToPreserve(in: model)
        #expect(tables.count == 1)
        for table in tables { snapshot.preserve(table) }
        _ = try recipe.run(on: model, calibration: nil)
        let quantized = try logits()
        #expect(quantized != base)
        _ = try logits()
        snapshot.restore()
        #expect(try logits() == base)
    }
}
