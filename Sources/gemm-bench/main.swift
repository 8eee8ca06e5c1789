import Foundation
import TensorCore

// GFLOP/s of BLAS.linear with packed weights, for every GEMM variant this CPU runs (AVX-512,
// AVX2 + FMA, portable), against OpenBLAS as configured (the OPENBLAS_CORETYPE of the
// environment; 1 thread = BLAS.gemm, 2 threads = the unpacked BLAS.linear). Best of `reps` timings
// of ≥ 0.2 s each; the ratio columns are variant / OpenBLAS at the same thread count.
// usage: gemm-bench [reps] [M,N,K ...]   (PTQLAB_GEMM_VARIANTS=avx2,portable to choose variants)

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
var variants = LinearBackend.supported.filter { $0 != .openBLAS }
if let list = ProcessInfo.processInfo.environment["PTQLAB_GEMM_VARIANTS"] {
    let names = Set(list.split(separator: ",").map { String($0).lowercased() })
    variants = variants.filter { names.contains($0.rawValue) }
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

print("CPU: \(CPUFeatures.summary), cores \(Parallel.coreCount), automatic variant: \(LinearBackend.automatic.label), OPENBLAS_CORETYPE=\(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "-")")
print("variants measured: " + variants.map(\.label).joined(separator: ", ") + "  (GFLOP/s; ratio = variant / OpenBLAS)")
var header = "    M     N     K | BLAS 1t BLAS 2t"
for v in variants { header += " | \(v.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) 1t    2t  ratio2t" }
print(header)
var g = SystemRandomNumberGenerator()
var logRatios = [Double](repeating: 0, count: variants.count)
for (m, n, k) in shapes {
    let x = Tensor(shape: [m, k], values: (0..<m * k).map { _ in Float.random(in: -1...1, using: &g) })
    let w = Tensor(shape: [n, k], values: (0..<n * k).map { _ in Float.random(in: -1...1, using: &g) })
    let out = FloatBuffer(count: m * n)
    let flops = 2.0 * Double(m) * Double(n) * Double(k) / 1e9
    let b1 = flops / seconds {
        BLAS.gemm(transB: true, m: m, n: n, k: k, a: x.pointer, lda: k, b: w.pointer, ldb: k, c: out.pointer, ldc: n)
    }
    let b2 = flops / seconds {
        BLAS.linear(x.pointer, rows: m, inFeatures: k, weight: w.pointer, outFeatures: n, out: out.pointer)
    }
    var line = String(format: "%5d %5d %5d | %7.1f %7.1f", m, n, k, b1, b2)
    for (i, v) in variants.enumerated() {
        let packed = PackedLinearWeight(w, backend: v)
        let o1 = flops / seconds { BLAS.linear(x.pointer, rows: m, packed: packed, out: out.pointer, threads: 1) }
        let o2 = flops / seconds { BLAS.linear(x.pointer, rows: m, packed: packed, out: out.pointer) }
        line += String(format: " | %8.1f %6.1f %6.2fx", o1, o2, o2 / b2)
        logRatios[i] += log(o2 / b2)
    }
    print(line)
}
for (i, v) in variants.enumerated() {
    print(String(format: "geometric mean, 2 threads, %@ / OpenBLAS: %.2fx", v.label, exp(logRatios[i] / Double(shapes.count))))
}

// One-time cost of packing W (both cores).
for v in variants {
    for (n, k) in [(1536, 576), (49152, 576)] {
        let w = Tensor(shape: [n, k], values: (0..<n * k).map { _ in Float.random(in: -1...1, using: &g) })
        let t0 = DispatchTime.now().uptimeNanoseconds
        let p = PackedLinearWeight(w, backend: v)
        let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
        print(String(format: "%@: packing W %d×%d: %.1f ms, %.1f MB extra", v.rawValue, n, k, ms, Double(p.extraBytes) / 1e6))
    }
}
