import Foundation
import Testing
import Quantization
import TensorCore

/// GPTQ against a PyTorch re-implementation of the reference (scripts/fixtures/make_gptq_fixture.py):
/// 24 × 96 layer, blocks of 32, groups of 40 (ragged, not aligned with blocks), a dead column.
/// f32 arithmetic differs in summation order (LAPACK vs torch), so a code may flip at a near-tie
/// and the change then propagates through the error feedback. Tolerances: ≥ 97% of the dequantized
/// weights identical (|Δ| ≤ 1e-6), loss within 1% relative, and the quadratic error
/// tr(ΔW·H·ΔWᵀ) within 2% of the reference's.
@Suite struct GPTQFixtureTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            let name: String
            let bits: Int
            let symmetric: Bool
            /// "full" or "narrow" for symmetric cases (absent in cases written before grids had names: narrow).
            let grid: String?
            let group_size: Int
            let per_tensor: Bool
            let act_order: Bool
            let static_groups: Bool
            let loss: Double
            let dequantized: String
        }
        let rows: Int
        let columns: Int
        let block_size: Int
        let damping: Float
        let dead_column: Int
        let weight: String
        let hessian: String
        let cases: [Case]
    }

    static let fixture: Fixture = {
        let url = QuantTestSupport.packageRoot.appendingPathComponent("Fixtures/quantization/gptq_reference.json")
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    static func floats(_ base64: String) -> [Float] {
        let data = Data(base64Encoded: base64)!
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
    }

    static func quadraticError(_ w: [Float], _ q: [Float], _ h: [Float], rows: Int, n: Int) -> Double {
        var total: Double = 0
        for r in 0..<rows {
            let d = (0..<n).map { Double(w[r * n + $0] - q[r * n + $0]) }
            for i in 0..<n {
                var s: Double = 0
                for j in 0..<n { s += Double(h[i * n + j]) * d[j] }
                total += d[i] * s
            }
        }
        return total
    }

    @Test(arguments: fixture.cases.map(\.name))
    func matchesReference(name: String) throws {
        let f = Self.fixture
        let c = try #require(f.cases.first { $0.name == name })
        let w = Self.floats(f.weight), hValues = Self.floats(f.hessian)
        let h = Hessian(size: f.columns, values: hValues, samples: 512)
        let granularity: WeightGranularity = c.per_tensor ? .perTensor : c.group_size > 0 ? .group(c.group_size) : .perRow
        let grid = try #require(SymmetricGrid(rawValue: c.grid ?? "narrow"))
        let scheme = WeightScheme(bits: c.bits, symmetric: c.symmetric, granularity: granularity, storage: .f16, symmetricGrid: grid)
        let gptq = GPTQQuantizer(blockSize: f.block_size, damping: f.damping, actOrder: c.act_order, staticGroups: c.static_groups)
        let result = try gptq.quantize(weight: Tensor(shape: [f.rows, f.columns], values: w), hessian: h, scheme: scheme)

        let ours = result.dequantized.array, reference = Self.floats(c.dequantized)
        let identical = zip(ours, reference).filter { abs($0 - $1) <= 1e-6 }.count
        let fraction = Double(identical) / Double(ours.count)
        #expect(fraction >= 0.97, "\(name): \(identical)/\(ours.count) identical")
        let loss = try #require(result.stats["gptq.loss"])
        #expect(abs(loss - c.loss) <= 0.01 * c.loss, "\(name): loss \(loss) vs reference \(c.loss)")
        let eOurs = Self.quadraticError(w, ours, hValues, rows: f.rows, n: f.columns)
        let eReference = Self.quadraticError(w, reference, hValues, rows: f.rows, n: f.columns)
        #expect(abs(eOurs - eReference) <= 0.02 * eReference, "\(name): tr(ΔW H ΔWᵀ) \(eOurs) vs \(eReference)")
        #expect(result.stats["gptq.deadColumns"] == 1)
        print("fixture \(name): identical \(identical)/\(ours.count), loss \(loss) vs \(c.loss)")
    }
}
