import Foundation
import Models
import TensorCore
import Testing

/// A weight held once (`WeightMatrix`): after packing only the packed copy is held, rows and the
/// whole matrix read back from it exactly (a copy, no arithmetic: compared with ==), and a tied
/// LM head shares the embedding's one table.
@Suite struct WeightMatrixTests {
    static func matrix(rows n: Int, columns k: Int) -> Tensor {
        Tensor(shape: [n, k], values: (0..<(n * k)).map { Float(($0 * 7919) % 1009) / 1009 - 0.5 })
    }

    /// 101 rows: not a multiple of any kernel's panel height (48, 16, 8), so the last panel is ragged.
    @Test func packedOnlyCopyGivesBackRowsAndTheMatrixExactly() {
        let n = 101, k = 37
        let w = Self.matrix(rows: n, columns: k)
        let expected = w.copied()
        let table = WeightMatrix(name: "t", w)
        let packed = table.prepared()
        // One copy: the kernel's panels (rounded up to whole panels), or W itself under OpenBLAS.
        let oneCopy = max(packed.packedFloatCount, n * k) * 4
        #expect(table.heldBytes == oneCopy, "held \(table.heldBytes) bytes, one copy is \(oneCopy)")
        let ids: [Int32] = [0, 100, 47, 48, 5]
        var rows = [Float](repeating: .nan, count: ids.count * k)
        rows.withUnsafeMutableBufferPointer { table.gatherRows(ids, into: $0.baseAddress!) }
        for (i, id) in ids.enumerated() {
            #expect(Array(rows[(i * k)..<((i + 1) * k)]) == Array(expected.array[(Int(id) * k)..<((Int(id) + 1) * k)]), "row \(id)")
        }
        // Reading the tensor unpacks it and drops the packed copy: one row-major copy.
        #expect(table.tensor.array == expected.array)
        #expect(table.heldBytes == n * k * 4)
        // Written in place and invalidated: the next product computes with the new values.
        table.tensor.pointer[3] = 42
        table.invalidatePacked()
        var row = [Float](repeating: 0, count: k)
        _ = table.prepared()
        row.withUnsafeMutableBufferPointer { table.gatherRows([0], into: $0.baseAddress!) }
        #expect(row[3] == 42)
    }

    /// tiny-llama ties its head to the embedding: one table object, held once after a forward pass
    /// (the f32 embedding and the head's packed copy were two before), and the logits do not change
    /// when the table is unpacked (read) and packed again between passes.
    @Test func tiedHeadIsTheEmbeddingsOneTable() throws {
        let (model, ref) = try TinyModelReferenceTests.load("tiny-llama")
        #expect(model.head.table === model.tokenTable && model.headIsTiedToEmbedding)
        func logits() throws -> [Float] {
            var out: [Float] = []
            try model.forward(windows: [ref.tokens[0]], observer: nil) { _, rows, values in
                out += UnsafeBufferPointer(start: values, count: rows * model.vocabularySize)
            }
            return out
        }
        let first = try logits()
        let vocab = model.vocabularySize, d = model.hiddenSize
        #expect(model.tokenTable.heldBytes <= (vocab + 47) / 48 * 48 * d * 4, "held \(model.tokenTable.heldBytes) bytes")
        #expect(model.embedding.count == vocab * d)
        #expect(try logits() == first)
    }
}
