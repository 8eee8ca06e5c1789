import Foundation
import KernelCore
import Testing
import TensorCore
@testable import ModelFormats

/// Memory-lean products: W kept in its stored form (every GGUF block type with a SIMD decoder,
/// f16, bf16, and the palettes of quantized results) and widened inside the GEMM must give the
/// very same bits as the f32-resident product on every kernel variant this processor runs (same
/// kc-block sums in the same order, see `DecodingGEMM`); OpenBLAS (sliced sgemm) within 1e-6
/// relative of its unsliced product. Matrices are tiled from gguf-py's real blocks
/// (Fixtures/gguf/dequant_*.bin), shapes chosen so panels, micro-tiles and k pieces are ragged.
@Suite struct CompressedLinearTests {
    static let formats: [(BlockFormat, String)] = [
        (.f16, "F16"), (.bf16, "BF16"), (.q4_0, "Q4_0"), (.q4_1, "Q4_1"), (.q5_0, "Q5_0"), (.q5_1, "Q5_1"),
        (.q8_0, "Q8_0"), (.q2_k, "Q2_K"), (.q3_k, "Q3_K"), (.q4_k, "Q4_K"), (.q5_k, "Q5_K"), (.q6_k, "Q6_K"),
    ]

    /// n rows of k columns of `format`, block j of row r being fixture block (r·blocksPerRow + j) mod B.
    static func tiled(_ format: BlockFormat, name: String, rows n: Int, columns k: Int) throws -> CompressedMatrix {
        let blocks = try GGUFTestSupport.fixtureBytes("dequant_\(name).bin")
        let available = blocks.count / format.blockBytes
        let perRow = k / format.blockSize
        var bytes = [UInt8]()
        bytes.reserveCapacity(n * perRow * format.blockBytes)
        for r in 0..<n {
            for j in 0..<perRow {
                let b = (r * perRow + j * 7 + r / 3) % available
                bytes += blocks[(b * format.blockBytes)..<((b + 1) * format.blockBytes)]
            }
        }
        return try #require(bytes.withUnsafeBytes { CompressedMatrix(rows: n, columns: k, layout: .blocks(format), copying: $0) })
    }

    static func input(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2_000_000) / 1_000_000 - 1
        }
    }

    /// out of the f32-resident product and of the compressed one, for the same x.
    static func products(_ c: CompressedMatrix, m: Int, backend: LinearBackend, accumulate: Bool, threads: Int)
        -> (dense: [Float], lean: [Float]) {
        let x = input(m * c.columns, seed: UInt64(m * 31 + c.columns))
        let start = input(m * c.rows, seed: 99)
        let dense = PackedLinearWeight(c.decoded(), backend: backend)
        let lean = PackedLinearWeight(compressed: c, backend: backend)
        func run(_ w: PackedLinearWeight) -> [Float] {
            var out = accumulate ? start : [Float](repeating: .nan, count: m * c.rows)
            x.withUnsafeBufferPointer { xp in
                out.withUnsafeMutableBufferPointer { op in
                    BLAS.linear(xp.baseAddress!, rows: m, packed: w, out: op.baseAddress!, accumulate: accumulate, threads: threads)
                }
            }
            return out
        }
        return (run(dense), run(lean))
    }

    /// The bit patterns of a tensor's values (the tensor kept alive while they are read).
    static func bits(_ t: Tensor) -> [UInt32] {
        withExtendedLifetime(t) { Array(UnsafeBufferPointer(start: t.pointer, count: t.count)).map(\.bitPattern) }
    }

    static let variants: [LinearBackend] = [.avx512, .avx2, .portable, .openBLAS]

    @Test(arguments: formats.map(\.1))
    func everyBlockFormatEqualsTheF32Product(name: String) throws {
        let format = Self.formats.first { $0.1 == name }!.0
        // k: one piece, and several pieces with a ragged last one (768-column pieces for AVX-512 k-quants).
        for (n, k) in [(100, 512), (61, 1792)] {
            let c = try Self.tiled(format, name: name, rows: n, columns: k)
            #expect(c.byteCount == n * k / format.blockSize * format.blockBytes)
            for backend in Self.variants where backend.isSupported {
                for (m, accumulate, threads) in [(1, false, 2), (7, true, 1), (37, false, 2), (130, true, 2)] {
                    let (dense, lean) = Self.products(c, m: m, backend: backend, accumulate: accumulate, threads: threads)
                    if backend == .openBLAS {
                        let worst = zip(dense, lean).map { abs($0 - $1) / max(1, abs($0)) }.max() ?? 0
                        #expect(worst <= 1e-6, "\(name) \(backend.label) m \(m): \(worst)")
                    } else {
                        let same = zip(dense, lean).allSatisfy { $0.bitPattern == $1.bitPattern }
                        #expect(same, "\(name) \(backend.label) n \(n) k \(k) m \(m) accumulate \(accumulate): not bit-identical")
                    }
                }
            }
        }
        for backend in Self.variants where !backend.isSupported { print("CompressedLinearTests: \(backend.label) not run on this CPU") }
    }

    /// Quantized results kept as palettes: exact round trip, the smallest layout that fits, the
    /// product bit-identical to f32's; a matrix with too many distinct values is refused.
    @Test func palettesHoldQuantizedWeightsExactly() throws {
        let n = 75, k = 384
        var g = Self.input(4 * n * k, seed: 7).makeIterator()
        // W4 g128: per 128-column group, 16 levels scale·(q − z).
        var w4 = [Float](repeating: 0, count: n * k)
        for r in 0..<n {
            for group in 0..<(k / 128) {
                let scale = 0.01 + abs(g.next()!) * 0.05, zero = Float(Int(abs(g.next()!) * 15))
                for i in 0..<128 { w4[r * k + group * 128 + i] = scale * (Float(Int(abs(g.next()!) * 15.99)) - zero) }
            }
        }
        // W8 per row: 256 levels.
        var w8 = [Float](repeating: 0, count: n * k)
        for r in 0..<n {
            let scale = 0.001 + abs(g.next()!) * 0.01
            for i in 0..<k { w8[r * k + i] = scale * (Float(Int(abs(g.next()!) * 255.99)) - 128) }
        }
        let dense = Tensor(shape: [n, k], values: w4)
        let four = try #require(PaletteEncoding.encode(dense))
        #expect(four.layout == .palette4(span: 128), "\(four.layout)")
        #expect(four.byteCount == n * 3 * (64 + 64))
        #expect(Self.bits(four.decoded()) == w4.map(\.bitPattern), "palette4 round trip is not exact")
        let eight = try #require(PaletteEncoding.encode(Tensor(shape: [n, k], values: w8)))
        #expect(eight.layout == .palette8(span: k), "\(eight.layout)")
        #expect(Self.bits(eight.decoded()) == w8.map(\.bitPattern), "palette8 round trip is not exact")
        #expect(PaletteEncoding.encode(Tensor(shape: [n, k], values: Self.input(n * k, seed: 3))) == nil)
        for backend in Self.variants where backend.isSupported && backend != .openBLAS {
            for c in [four, eight] {
                let (a, b) = Self.products(c, m: 19, backend: backend, accumulate: false, threads: 2)
                #expect(zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(c.layout) \(backend.label)")
            }
        }
        // Rows read one at a time (embedding lookups) and reordered rows (llama.cpp's Q/K permutation).
        var row = [Float](repeating: 0, count: k)
        row.withUnsafeMutableBufferPointer { four.decodeRows(41..<42, into: $0.baseAddress!) }
        #expect(row.map(\.bitPattern) == w4[(41 * k)..<(42 * k)].map(\.bitPattern), "row 41")
        let reversed = four.reorderingRows(Array((0..<n).reversed()))
        row.withUnsafeMutableBufferPointer { reversed.decodeRows(0..<1, into: $0.baseAddress!) }
        #expect(row.map(\.bitPattern) == w4[((n - 1) * k)...].map(\.bitPattern), "reordered row 0")
    }

    /// A NaN inside stored blocks is found (and where), so loaders can refuse the tensor.
    @Test func nonFiniteValuesAreFound() throws {
        var halves = [UInt16](repeating: 0x3C00, count: 64 * 32)   // f16 1.0
        halves[1000] = 0x7E00                                          // f16 NaN
        let c = try #require(halves.withUnsafeBytes { CompressedMatrix(rows: 64, columns: 32, layout: .blocks(.f16), copying: $0) })
        #expect(c.firstNonFinite() == 1000)
        #expect(halves.withUnsafeBytes { CompressedMatrix(rows: 64, columns: 31, layout: .blocks(.q4_0), copying: $0) } == nil)
    }
}
