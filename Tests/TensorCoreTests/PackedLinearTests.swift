import Foundation
import Testing
import TensorCore

/// Every linear-layer GEMM variant (AVX-512, AVX2 + FMA, portable, and the BLAS fallback) against a
/// double-precision naive product, on every variant this processor can run; the ones it cannot are
/// named in the output (`skipped on this CPU`). Tolerance: |out − ref| ≤ 1e-5 · Σₖ|x·w| + 1e-6 per
/// element (f32 accumulation over k ≤ 1536 terms in blocked FMA or multiply-add order; the
/// observed error is far below the bound).
@Suite struct PackedLinearTests {
    struct LCG {
        var state: UInt64
        mutating func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2_000_000) / 1_000_000 - 1
        }
        mutating func array(_ n: Int) -> [Float] { (0..<n).map { _ in next() } }
    }

    /// False (and says so) when this processor cannot run the variant.
    static func runnable(_ backend: LinearBackend) -> Bool {
        if backend.isSupported { return true }
        print("PackedLinearTests: \(backend.label) skipped on this CPU (\(CPUFeatures.summary))")
        return false
    }

    /// Worst |out − ref| / (1e-5·Σ|x·w| + 1e-6) over all elements, and whether the guard floats
    /// after `out` were left alone; `threads` is the kernel paths' split.
    static func check(
        m: Int, n: Int, k: Int, backend: LinearBackend, accumulate: Bool, threads: Int, seed: UInt64
    ) -> (ratio: Double, guardIntact: Bool) {
        var g = LCG(state: seed)
        let x = g.array(m * k), w = g.array(n * k), base = g.array(m * n)
        let guardCount = 64
        // non-accumulating calls must not read out: start from NaN
        var out = (accumulate ? base : [Float](repeating: .nan, count: m * n))
            + [Float](repeating: 12345, count: guardCount)
        let packed = PackedLinearWeight(Tensor(shape: [n, k], values: w), backend: backend)
        x.withUnsafeBufferPointer { xp in
            out.withUnsafeMutableBufferPointer { op in
                BLAS.linear(xp.baseAddress!, rows: m, packed: packed, out: op.baseAddress!,
                            accumulate: accumulate, threads: threads)
            }
        }
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var s = accumulate ? Double(base[i * n + j]) : 0, mag = 0.0
                for t in 0..<k {
                    let p = Double(x[i * k + t]) * Double(w[j * k + t])
                    s += p; mag += abs(p)
                }
                let err = abs(Double(out[i * n + j]) - s)
                let ratio = err.isNaN ? .infinity : err / (1e-5 * mag + 1e-6)
                worst = max(worst, ratio)
            }
        }
        return (worst, out[(m * n)...].allSatisfy { $0 == 12345 })
    }

    /// Ragged shapes around every variant's micro-tile (8×48, 6×16, 6×8) and its kc/mc/nc blocks
    /// (192–256 / 192–256 / 256–480).
    static let shapes: [(Int, Int, Int)] = [
        (1, 1, 1), (1, 48, 576), (1, 577, 3), (8, 48, 192), (7, 50, 13), (9, 97, 193), (3, 47, 1),
        (130, 1, 5), (17, 200, 385), (300, 100, 400), (20, 530, 70), (33, 96, 1536), (64, 576, 576),
        (6, 16, 256), (13, 33, 257), (230, 400, 520), (5, 17, 9),
    ]

    @Test(arguments: LinearBackend.allCases)
    func matchesDoublePrecision(backend: LinearBackend) {
        guard Self.runnable(backend) else { return }
        var seed: UInt64 = 1
        for (m, n, k) in Self.shapes {
            for accumulate in [false, true] {
                for threads in [1, 2, 3] where backend != .openBLAS || threads == 1 {
                    seed += 1
                    let r = Self.check(m: m, n: n, k: k, backend: backend, accumulate: accumulate,
                                       threads: threads, seed: seed)
                    #expect(r.ratio <= 1, "\(backend) \(m)×\(n)×\(k) acc=\(accumulate) t=\(threads): \(r.ratio)")
                    #expect(r.guardIntact, "\(backend) \(m)×\(n)×\(k): wrote past the output")
                }
            }
        }
    }

    /// Each packed path agrees with the unpacked OpenBLAS `linear` on a model-sized shape.
    @Test(arguments: [LinearBackend.avx512, .avx2, .portable])
    func agreesWithOpenBLASLinear(backend: LinearBackend) {
        guard Self.runnable(backend) else { return }
        let m = 512, n = 192, k = 576
        var g = LCG(state: 99)
        let x = g.array(m * k), w = Tensor(shape: [n, k], values: g.array(n * k))
        var a = [Float](repeating: 0, count: m * n), b = a
        let packed = PackedLinearWeight(w, backend: backend)
        #expect(packed.extraBytes == n * k * 4)
        x.withUnsafeBufferPointer { xp in
            a.withUnsafeMutableBufferPointer {
                BLAS.linear(xp.baseAddress!, rows: m, packed: packed, out: $0.baseAddress!)
            }
            b.withUnsafeMutableBufferPointer {
                BLAS.linear(xp.baseAddress!, rows: m, inFeatures: k, weight: w.pointer, outFeatures: n,
                            out: $0.baseAddress!)
            }
        }
        let worst = zip(a, b).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-4, "\(backend): max |packed − OpenBLAS| = \(worst)")
    }

    /// The automatic choice is the widest variant this CPU runs (PTQLAB_GEMM unset), and every
    /// variant it picks can run here.
    @Test func automaticChoiceFollowsTheCPU() {
        #expect(LinearBackend.automatic.isSupported)
        guard getenv("PTQLAB_GEMM") == nil else { return }
        #if arch(x86_64)
        let expected: LinearBackend = CPUFeatures.hasAVX512 ? .avx512 : CPUFeatures.hasAVX2FMA ? .avx2 : .openBLAS
        #else
        let expected = LinearBackend.openBLAS
        #endif
        #expect(LinearBackend.automatic == expected)
        #expect(LinearBackend.supported.contains(.portable) && LinearBackend.supported.contains(.openBLAS))
    }

    @Test func fallbackHoldsNoCopy() {
        let w = Tensor(shape: [3, 2], values: [1, 2, 3, 4, 5, 6])
        let p = PackedLinearWeight(w, backend: .openBLAS)
        #expect(p.extraBytes == 0)
        var out = [Float](repeating: 0, count: 3)
        let x: [Float] = [1, -1]
        BLAS.linear(x, rows: 1, packed: p, out: &out)
        #expect(out == [-1, -1, -1])
    }

    @Test func cacheRebuildsForNewWeight() {
        let cache = PackedLinearWeightCache()
        let w1 = Tensor(shape: [2, 2], values: [1, 0, 0, 1])
        let p1 = cache.get(w1)
        #expect(cache.get(w1) === p1)
        let w2 = Tensor(shape: [2, 2], values: [2, 0, 0, 2])
        let p2 = cache.get(w2)
        #expect(p2 !== p1 && p2.isBuilt(from: w2))
        var out = [Float](repeating: 0, count: 2)
        BLAS.linear([1, 3], rows: 1, packed: p2, out: &out)
        #expect(out == [2, 6])
        cache.invalidate()
        #expect(cache.current == nil)
        #expect(cache.get(w2) !== p2)
    }
}
