import Foundation
import Quantization
import TensorCore

/// Deterministic random numbers for the tests (SplitMix64).
struct TestRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func uniform() -> Float { Float(next() >> 40) / Float(1 << 24) }

    /// Standard normal (Box–Muller).
    mutating func normal() -> Float {
        let u1 = max(uniform(), 1e-7), u2 = uniform()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Float.pi * u2)
    }

    mutating func normals(_ count: Int, scale: Float = 1) -> [Float] { (0..<count).map { _ in normal() * scale } }
}

enum QuantTestSupport {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A weight matrix like an LLM linear layer's: normal values, a few large outliers.
    static func weight(rows: Int, columns: Int, seed: UInt64, outliers: Int = 0) -> Tensor {
        var random = TestRandom(seed: seed)
        var values = random.normals(rows * columns, scale: 0.05)
        for _ in 0..<outliers { values[Int(random.next() % UInt64(values.count))] = random.normal() * 0.6 }
        return Tensor(shape: [rows, columns], values: values)
    }

    /// n inputs (n × columns) with strongly correlated features of uneven scale:
    /// X = Z·A with A = mixing of a few latent factors plus a per-feature scale.
    static func correlatedInputs(samples n: Int, columns: Int, seed: UInt64, deadColumns: [Int] = []) -> Tensor {
        var random = TestRandom(seed: seed)
        let latent = 16
        let z = Tensor(shape: [n, latent + columns], values: random.normals(n * (latent + columns)))
        // A: (latent + columns) × columns — latent factors shared by all features, plus own noise.
        var a = [Float](repeating: 0, count: (latent + columns) * columns)
        for l in 0..<latent { for c in 0..<columns { a[l * columns + c] = random.normal() } }
        for c in 0..<columns {
            let featureScale = 0.2 + 2 * random.uniform()
            for l in 0..<latent { a[l * columns + c] *= featureScale }
            a[(latent + c) * columns + c] = 0.3 * featureScale
        }
        let x = Tensor(zeros: [n, columns])
        a.withUnsafeBufferPointer { ap in
            BLAS.gemm(m: n, n: columns, k: latent + columns, a: z.pointer, lda: latent + columns,
                      b: ap.baseAddress!, ldb: columns, c: x.pointer, ldc: columns)
        }
        for r in 0..<n { for c in deadColumns { x.pointer[r * columns + c] = 0 } }
        return x
    }

    static func hessian(of x: Tensor, batch: Int = 512) -> Hessian {
        let columns = x.shape[1], n = x.shape[0]
        let accumulator = HessianAccumulator(inFeatures: columns)
        var start = 0
        while start < n {
            let rows = min(batch, n - start)
            accumulator.add(x.pointer + start * columns, rows: rows)
            start += rows
        }
        return accumulator.hessian
    }

    /// ‖W·Xᵀ − Ŵ·Xᵀ‖² (the layer-output error on inputs X).
    static func outputError(_ w: Tensor, _ wHat: Tensor, _ x: Tensor) -> Double {
        let rows = w.shape[0], columns = w.shape[1], n = x.shape[0]
        let delta = Tensor(zeros: [rows, columns])
        for i in 0..<delta.count { delta.pointer[i] = w.pointer[i] - wHat.pointer[i] }
        let out = Tensor(zeros: [n, rows])
        BLAS.gemm(transB: true, m: n, n: rows, k: columns, a: x.pointer, lda: columns, b: delta.pointer,
                  ldb: columns, c: out.pointer, ldc: rows)
        var total: Double = 0
        for i in 0..<out.count { total += Double(out.pointer[i]) * Double(out.pointer[i]) }
        return total
    }

    static func squaredError(_ a: Tensor, _ b: Tensor) -> Double {
        var total: Double = 0
        for i in 0..<a.count { let d = Double(a.pointer[i] - b.pointer[i]); total += d * d }
        return total
    }
}
