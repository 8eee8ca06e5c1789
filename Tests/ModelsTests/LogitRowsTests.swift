import Foundation
import Models
import TensorCore
import Testing

/// The LM head under `LogitRows`: only the wanted rows' chunks are handed out, with exactly the
/// values it gives without a selection (the same product, row by row), chunk boundaries included.
@Suite struct LogitRowsTests {
    @Test func headComputesOnlyTheWantedRows() {
        let vocab = 37, d = 8, rows = 3 * 10
        var state: UInt64 = 5
        func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2000) / 1000 - 1
        }
        let head = LogitHead(name: "lm_head", weight: Tensor(shape: [vocab, d], values: (0..<vocab * d).map { _ in next() }), chunkRows: 4)
        let x = (0..<rows * d).map { _ in next() }
        var all = [[Float]](repeating: [], count: rows)
        x.withUnsafeBufferPointer { xp in
            head.logits(xp.baseAddress!, rows: rows) { first, n, v in
                for r in 0..<n { all[first + r] = Array(UnsafeBufferPointer(start: v + r * vocab, count: vocab)) }
            }
        }
        #expect(all.allSatisfy { $0.count == vocab })
        // 3 windows of 10 rows; llama.cpp-style scored halves 5..<9, and an empty one
        let scored: [Range<Int>] = [5..<9, 0..<0, 5..<9]
        var seen: [Int: [Float]] = [:]
        LogitRows.withScored(scored, tokens: 10) {
            x.withUnsafeBufferPointer { xp in
                head.logits(xp.baseAddress!, rows: rows) { first, n, v in
                    #expect(n <= 4)
                    for r in 0..<n { seen[first + r] = Array(UnsafeBufferPointer(start: v + r * vocab, count: vocab)) }
                }
            }
        }
        #expect(Set(seen.keys) == Set(Array(5..<9) + Array(25..<29)))
        for (row, values) in seen { #expect(values == all[row], "row \(row)") }
        // adjacent scored ranges merge into one run of rows
        #expect(LogitRows.withScored([0..<10, 0..<10], tokens: 10) { LogitRows.wanted } == [0..<20])
        #expect(LogitRows.parts(of: 7) == [0..<7])
    }
}
