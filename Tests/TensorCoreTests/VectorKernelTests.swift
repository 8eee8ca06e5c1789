import Foundation
import KernelCore
import Testing
import TensorCore

/// The vector kernels outside the GEMM (KernelCore's NormRows, SoftmaxRows, ActivationRuns), as
/// compiled by every kernel module this processor can run (AVX-512, AVX2 + FMA, portable), against
/// double-precision references. Lengths cover whole 16-lane vectors, partial tails and rows shorter
/// than one vector. Instruction sets the CPU cannot run are named in the output.
///
/// Tolerances: inputs are in [-1, 1) (scaled where stated); f32 rounding of the sums and the
/// vector exp (< 3e-7 relative) leave errors ~1e-7 relative on these sizes; the bounds below are
/// 1e-5 relative (+ 1e-6 absolute for values near 0), and 1e-4 absolute for a log-sum-exp over
/// 49 152 logits (an f32 sum of ~3 000 terms per lane).
@Suite struct VectorKernelTests {
    typealias LCG = PackedLinearTests.LCG
    static let variants: [LinearBackend] = [.avx512, .avx2, .portable]

    /// The table compiled for `variant`, or nil (and says so) when this CPU cannot run it.
    static func table(_ variant: LinearBackend) -> VectorOps? {
        guard variant.isSupported else {
            print("VectorKernelTests: \(variant.label) not run on this CPU (\(CPUFeatures.summary))")
            return nil
        }
        return VectorKernels.table(for: variant)
    }

    static func worstRelative(_ out: [Float], _ ref: [Double]) -> Double {
        zip(out, ref).reduce(0.0) { w, p in
            let e = abs(Double(p.0) - p.1) / (abs(p.1) + 0.1)
            return e.isNaN ? .infinity : max(w, e)
        }
    }

    @Test(arguments: variants)
    func normsMatchDoubleReference(variant: LinearBackend) {
        guard let ops = Self.table(variant) else { return }
        var g = LCG(state: 3)
        for n in [7, 37, 64, 576] {
            let rows = 5
            let x = g.array(rows * n).map { $0 * 3 }, w = g.array(n), b = g.array(n)
            for offset: Float in [0, 1] {
                var out = [Float](repeating: .nan, count: x.count)
                ops.rmsNorm(x, 0..<rows, n, w, 1e-6, offset, &out)
                var ref = [Double](repeating: 0, count: x.count)
                for r in 0..<rows {
                    let row = x[(r * n)..<((r + 1) * n)].map(Double.init)
                    let inv = 1 / (row.reduce(0) { $0 + $1 * $1 } / Double(n) + 1e-6).squareRoot()
                    for i in 0..<n { ref[r * n + i] = row[i] * inv * (Double(w[i]) + Double(offset)) }
                }
                let worst = Self.worstRelative(out, ref)
                #expect(worst < 1e-5, "\(variant.label) RMSNorm n \(n) offset \(offset): \(worst)")
            }
            var out = [Float](repeating: .nan, count: x.count)
            ops.layerNorm(x, 1..<rows, n, w, b, 1e-5, &out)
            #expect(out[0..<n].allSatisfy { $0.isNaN }, "\(variant.label) LayerNorm wrote a row outside its range")
            var ref = [Double](repeating: .nan, count: x.count)
            for r in 1..<rows {
                let row = x[(r * n)..<((r + 1) * n)].map(Double.init)
                let mean = row.reduce(0, +) / Double(n)
                let inv = 1 / (row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n) + 1e-5).squareRoot()
                for i in 0..<n { ref[r * n + i] = (row[i] - mean) * inv * Double(w[i]) + Double(b[i]) }
            }
            let worst = Self.worstRelative(Array(out[n...]), Array(ref[n...]))
            #expect(worst < 1e-5, "\(variant.label) LayerNorm n \(n): \(worst)")
        }
    }

    @Test(arguments: variants)
    func softmaxFamilyMatchesDoubleReference(variant: LinearBackend) {
        guard let ops = Self.table(variant) else { return }
        var g = LCG(state: 5)
        // masked softmax rows: [start, valid) of n
        for (start, valid, n) in [(0, 37, 37), (3, 20, 48), (5, 6, 16), (0, 1, 1), (17, 113, 128)] {
            let scores = g.array(n).map { $0 * 8 }
            var row = scores
            let sum = ops.softmaxRow(&row, start, valid, n, 0.125)
            let kept = scores[start..<valid].map { Double($0) * 0.125 }
            let m = kept.max()!, e = kept.map { Foundation.exp($0 - m) }, z = e.reduce(0, +)
            #expect(abs(Double(sum) - z) / z < 1e-5, "\(variant.label) softmax sum [\(start), \(valid)) of \(n)")
            var worst = 0.0
            for i in 0..<n {
                let want = (start..<valid).contains(i) ? e[i - start] / z : 0
                worst = max(worst, abs(Double(row[i]) / Double(sum) - want))
            }
            #expect(worst < 1e-6, "\(variant.label) softmax [\(start), \(valid)) of \(n): \(worst)")
        }
        // log-sum-exp and KL divergence over logit rows
        for n in [13, 37, 49_152] {
            let a = g.array(n).map { $0 * 10 }, b = g.array(n).map { $0 * 10 }
            let (ma, sa) = ops.maxAndSumExp(a, n), (mb, sb) = ops.maxAndSumExp(b, n)
            func lse(_ x: [Float]) -> Double {
                let m = Double(x.max()!)
                return m + Foundation.log(x.reduce(0.0) { $0 + Foundation.exp(Double($1) - m) })
            }
            let lseA = Double(ma) + Foundation.log(Double(sa)), lseB = Double(mb) + Foundation.log(Double(sb))
            let refA = lse(a), refB = lse(b)
            #expect(ma == a.max()! && abs(lseA - refA) < 1e-4, "\(variant.label) log-sum-exp n \(n): \(lseA) vs \(refA)")
            let kl = ops.klDivergence(a, b, n, Float(lseA), Float(lseB))
            var refKL = 0.0
            for i in 0..<n {
                let la = Double(a[i]) - refA, lb = Double(b[i]) - refB
                refKL += Foundation.exp(la) * (la - lb)
            }
            #expect(abs(kl - refKL) < 1e-5 + 1e-4 * refKL, "\(variant.label) KL n \(n): \(kl) vs \(refKL)")
        }
    }

    @Test(arguments: variants)
    func activationsMatchDoubleReference(variant: LinearBackend) {
        guard let ops = Self.table(variant) else { return }
        var g = LCG(state: 9)
        func geluTanh(_ x: Double) -> Double { 0.5 * x * (1 + tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x))) }
        for count in [5, 37, 1000] {
            let gate = g.array(count + 3).map { $0 * 6 }, up = g.array(count + 3)
            // only `count` values change: the 3 after them are guards
            var out = gate
            ops.swiglu(&out, up, count)
            var ref = (0..<count).map { Double(gate[$0]) / (1 + Foundation.exp(-Double(gate[$0]))) * Double(up[$0]) }
            #expect(Self.worstRelative(Array(out[..<count]), ref) < 1e-5 && out[count...] == gate[count...],
                    "\(variant.label) SwiGLU count \(count)")
            out = gate
            ops.gegluTanh(&out, up, count)
            ref = (0..<count).map { geluTanh(Double(gate[$0])) * Double(up[$0]) }
            #expect(Self.worstRelative(Array(out[..<count]), ref) < 1e-5 && out[count...] == gate[count...],
                    "\(variant.label) GeGLU-tanh count \(count)")
            out = gate
            ops.geluTanh(&out, count)
            ref = (0..<count).map { geluTanh(Double(gate[$0])) }
            #expect(Self.worstRelative(Array(out[..<count]), ref) < 1e-5 && out[count...] == gate[count...],
                    "\(variant.label) GELU-tanh count \(count)")
            out = gate
            out[1] = .nan
            ops.relu(&out, count)
            #expect((0..<count).allSatisfy { $0 == 1 ? out[1].isNaN : out[$0] == max(gate[$0], 0) } && out[count...] == gate[count...],
                    "\(variant.label) ReLU count \(count)")
        }
    }

    /// Every instruction set computes the norms and activations with the same operations in the
    /// same order, so the AVX-512 and AVX2 compilations agree bit for bit (the study's numbers do
    /// not depend on which one the machine drew); the portable one differs only by unfused
    /// multiply-adds on x86-64.
    @Test func avx512AndAVX2AgreeBitForBit() {
        guard LinearBackend.avx512.isSupported else {
            print("VectorKernelTests: AVX-512 not run on this CPU (\(CPUFeatures.summary))")
            return
        }
        let a = VectorKernels.table(for: .avx512), b = VectorKernels.table(for: .avx2)
        var g = LCG(state: 21)
        let n = 577, rows = 3
        let x = g.array(rows * n), w = g.array(n), bias = g.array(n)
        var oa = [Float](repeating: 0, count: x.count), ob = oa
        a.rmsNorm(x, 0..<rows, n, w, 1e-6, 1, &oa); b.rmsNorm(x, 0..<rows, n, w, 1e-6, 1, &ob)
        #expect(oa == ob, "RMSNorm")
        a.layerNorm(x, 0..<rows, n, w, bias, 1e-5, &oa); b.layerNorm(x, 0..<rows, n, w, bias, 1e-5, &ob)
        #expect(oa == ob, "LayerNorm")
        oa = x; ob = x
        a.swiglu(&oa, w, n); b.swiglu(&ob, w, n)
        #expect(oa == ob, "SwiGLU")
        #expect(a.maxAndSumExp(x, x.count) == b.maxAndSumExp(x, x.count), "log-sum-exp")
        oa = x; ob = x
        #expect(a.softmaxRow(&oa, 2, 500, n, 0.5) == b.softmaxRow(&ob, 2, 500, n, 0.5) && oa == ob, "softmax row")
    }
}
