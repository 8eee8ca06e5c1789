import Foundation
import Testing
@testable import Quantization
import TensorCore

/// ggml's own quantizers (llama-quantize's `ggml_quantize_chunk`), reproduced: committed reference
/// vectors from the llama.cpp of the pinned llama-cpp-python sdist
/// (Fixtures/quantization/ggml_quant_vectors.bin, scripts/fixtures/make_ggml_quant_vectors.sh):
/// 16 rows × 512 weights of varied distributions (zeros, constants, one-signed, tiny, huge,
/// heavy tails, exact ties) per type, with and without an importance vector. Tolerance: none —
/// the bytes must be identical.
@Suite struct GGMLBlockGridTests {
    struct Vectors {
        var rows = 0, rowLength = 0
        var input: [Float] = [], importance: [Float] = []
        var cases: [(type: GGMLBlockGrid, importance: Bool, bytes: [UInt8])] = []
    }

    static func load() throws -> Vectors {
        let url = QuantTestSupport.packageRoot.appendingPathComponent("Fixtures/quantization/ggml_quant_vectors.bin")
        let data = try Data(contentsOf: url)
        var offset = 0
        func u32() -> Int { defer { offset += 4 }; return Int(data.subdata(in: offset..<offset + 4).withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }) }
        func floats(_ n: Int) -> [Float] {
            defer { offset += 4 * n }
            return data.subdata(in: offset..<offset + 4 * n).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        }
        #expect(String(decoding: data.prefix(8), as: UTF8.self) == "PTQGGQV1")
        offset = 8
        var v = Vectors()
        v.rows = u32(); v.rowLength = u32()
        v.input = floats(v.rows * v.rowLength)
        v.importance = floats(v.rowLength)
        for _ in 0..<u32() {
            let id = UInt32(u32()), uses = u32() == 1, count = u32()
            let type = try #require(GGMLBlockGrid.allCases.first { $0.ggmlTypeID == id }, "unknown ggml type \(id)")
            v.cases.append((type, uses, [UInt8](data.subdata(in: offset..<offset + count))))
            offset += count
        }
        #expect(offset == data.count)
        return v
    }

    @Test func everyTypeMatchesGGMLByteForByte() throws {
        let v = try Self.load()
        #expect(v.cases.count == 20)
        for c in v.cases {
            let ours = v.input.withUnsafeBufferPointer { x in
                v.importance.withUnsafeBufferPointer { w in
                    c.type.quantize(x.baseAddress!, rows: v.rows, columns: v.rowLength, importance: c.importance ? w.baseAddress! : nil)
                }
            }
            #expect(ours.count == c.bytes.count)
            let rowBytes = v.rowLength / c.type.blockSize * c.type.blockBytes
            var mismatches: [String] = []
            for r in 0..<v.rows {
                for b in 0..<v.rowLength / c.type.blockSize {
                    let range = r * rowBytes + b * c.type.blockBytes ..< r * rowBytes + (b + 1) * c.type.blockBytes
                    if ours[range] != c.bytes[range] {
                        let first = range.first { ours[$0] != c.bytes[$0] }! - range.lowerBound
                        mismatches.append("row \(r) block \(b) byte \(first)")
                    }
                }
            }
            #expect(mismatches.isEmpty, "\(c.type.name) importance=\(c.importance): \(mismatches.count) blocks differ: \(mismatches.prefix(6))")
        }
    }

    /// `SubBlocks.value` is what the decoder computes, for every level of every sub-block of
    /// every reference block: GPTQ's error feedback sees exactly the weights the file holds.
    @Test func gridValuesEqualTheDecoder() throws {
        let v = try Self.load()
        for c in v.cases where !c.importance {
            let t = c.type
            c.bytes.withUnsafeBytes { raw in
                var decoded = [Float](repeating: 0, count: t.blockSize)
                for b in 0..<c.bytes.count / t.blockBytes {
                    let block = raw.baseAddress! + b * t.blockBytes
                    t.decode(block, t.blockSize, into: &decoded)
                    let grid = GGMLBlockGrid.SubBlocks(t, header: block)
                    // re-derive each stored level from the decoded value, check value(level) == decoded
                    for i in 0..<t.blockSize {
                        let candidates = (0...t.maxLevel).filter { grid.value(UInt8($0), at: i) == decoded[i] }
                        #expect(!candidates.isEmpty, "\(t.name) block \(b) weight \(i): \(decoded[i]) is no level of the grid")
                        if candidates.isEmpty { return }
                    }
                }
            }
        }
    }

    /// Packing is the inverse of decoding: levels chosen on a fitted header, packed, decode to
    /// `value(level)` — for every type, on random weights.
    @Test func packedLevelsDecodeToTheirValues() {
        var random = TestRandom(seed: 17)
        for t in GGMLBlockGrid.allCases {
            let x = random.normals(t.blockSize, scale: 0.03)
            var block = [UInt8](repeating: 0, count: t.blockBytes)
            var decoded = [Float](repeating: 0, count: t.blockSize)
            let levels = (0..<t.blockSize).map { _ in UInt8(random.next() % UInt64(t.maxLevel + 1)) }
            block.withUnsafeMutableBytes { raw in
                let grid = x.withUnsafeBufferPointer { t.fitHeader($0.baseAddress!, importance: nil, into: raw.baseAddress!) }
                levels.withUnsafeBufferPointer { t.pack($0.baseAddress!, into: raw.baseAddress!) }
                t.decode(UnsafeRawPointer(raw.baseAddress!), t.blockSize, into: &decoded)
                let expected = (0..<t.blockSize).map { grid.value(levels[$0], at: $0) }
                #expect(decoded == expected, "\(t.name)")
            }
        }
    }
}
