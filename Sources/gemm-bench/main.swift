import Foundation
import TensorCore

// GFLOP/s of BLAS.linear with packed weights (AVX-512) vs OpenBLAS as configured (the
// OPENBLAS_CORETYPE of the environment; 1 thread = BLAS.gemm, 2 threads = BLAS.parallelGemm via
// the unpacked BLAS.linear). Best of `reps` timings of ≥ 0.2 s each.
// usage: gemm-bench [reps] [M,N,K ...]

BLAS.useOwnThreads()
let args = CommandLine.arguments.dropFirst()
let reps = args.first.flatMap { Int($0) } ?? 3
var shapes: [(Int, Int, Int)] = []
for a in args.dropFirst() {
    let v = a.split(separator: ",").compactMap { Int($0) }
    if v.count == 3 { shapes.append((v[0], v[1], v[2])) }
}
if shapes.isEmpty {
    for m in [512, 2048] {
        for (n, k) in [(576, 576), (192, 576), (1536, 576), (576, 1536), (49152, 576)] {
            shapes.append((m == 2048 && n == 49152 ? 256 : m, n, k))
        }
    }
}

func seconds(_ body: () -> Void) -> Double {
    var best = Double.infinity
    for _ in 0..<reps {
        var iters = 0
        let t0 = DispatchTime.now().uptimeNanoseconds
        var t1 = t0
        repeat { body(); iters += 1; t1 = DispatchTime.now().uptimeNanoseconds } while t1 - t0 < 200_000_000
        best = min(best, Double(t1 - t0) / 1e9 / Double(iters))
    }
    return best
}

print("backend: \(LinearBackend.automatic.rawValue), cores \(Parallel.coreCount), OPENBLAS_CORETYPE=\(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "-")")
print("    M     N     K | OpenBLAS 1t  ours 1t  ratio | OpenBLAS 2t  ours 2t  ratio   (GFLOP/s)")
var g = SystemRandomNumberGenerator()
var sumRatio = 0.0, count = 0
for (m, n, k) in shapes {
    let x = Tensor(shape: [m, k], values: (0..<m * k).map { _ in Float.random(in: -1...1, using: &g) })
    let w = Tensor(shape: [n, k], values: (0..<n * k).map { _ in Float.random(in: -1...1, using: &g) })
    let out = FloatBuffer(count: m * n)
    let packed = PackedLinearWeight(w, backend: .avx512)
    let flops = 2.0 * Double(m) * Double(n) * Double(k) / 1e9
    let b1 = flops / seconds {
        BLAS.gemm(transB: true, m: m, n: n, k: k, a: x.pointer, lda: k, b: w.pointer, ldb: k, c: out.pointer, ldc: n)
    }
    let o1 = flops / seconds { BLAS.linear(x.pointer, rows: m, packed: packed, out: out.pointer, threads: 1) }
    let b2 = flops / seconds {
        BLAS.linear(x.pointer, rows: m, inFeatures: k, weight: w.pointer, outFeatures: n, out: out.pointer)
    }
    let o2 = flops / seconds { BLAS.linear(x.pointer, rows: m, packed: packed, out: out.pointer) }
    print(String(format: "%5d %5d %5d | %11.1f %8.1f %5.2fx | %11.1f %8.1f %5.2fx", m, n, k, b1, o1, o1 / b1, b2, o2, o2 / b2))
    sumRatio += log(o2 / b2); count += 1
}
print(String(format: "geometric mean speed-up, 2 threads: %.2fx", exp(sumRatio / Double(count))))

// One-time cost of packing W (both cores).
for (n, k) in [(1536, 576), (49152, 576)] {
    let w = Tensor(shape: [n, k], values: (0..<n * k).map { _ in Float.random(in: -1...1, using: &g) })
    let t0 = DispatchTime.now().uptimeNanoseconds
    let p = PackedLinearWeight(w, backend: .avx512)
    let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
    print(String(format: "packing W %d×%d: %.1f ms, %.1f MB extra", n, k, ms, Double(p.extraBytes) / 1e6))
}
