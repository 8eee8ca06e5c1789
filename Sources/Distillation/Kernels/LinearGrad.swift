import TensorCore

/// y = x·Wᵀ + b and its gradients.
public enum LinearGrad {
    /// y (N, out) = x (N, in) · Wᵀ (W (out, in)) + b (out); with `accumulate`, y += instead.
    public static func forward<T: GradScalar>(_ x: UnsafePointer<T>, rows n: Int, weight: UnsafePointer<T>,
                                              bias: UnsafePointer<T>?, inFeatures: Int, outFeatures: Int,
                                              into y: UnsafeMutablePointer<T>, accumulate: Bool = false) {
        T.gemm(transA: false, transB: true, m: n, n: outFeatures, k: inFeatures, alpha: 1, a: x, lda: inFeatures,
               b: weight, ldb: inFeatures, beta: accumulate ? 1 : 0, c: y, ldc: outFeatures)
        if let bias {
            for r in 0..<n {
                let row = y + r * outFeatures
                for j in 0..<outFeatures { row[j] += bias[j] }
            }
        }
    }

    /// dW (out, in) (+)= dyᵀ (dy (N, out)) · x (N, in).
    public static func weightGradient<T: GradScalar>(_ dy: UnsafePointer<T>, _ x: UnsafePointer<T>, rows n: Int,
                                                     inFeatures: Int, outFeatures: Int,
                                                     into dW: UnsafeMutablePointer<T>, accumulate: Bool = false) {
        T.gemm(transA: true, transB: false, m: outFeatures, n: inFeatures, k: n, alpha: 1, a: dy, lda: outFeatures,
               b: x, ldb: inFeatures, beta: accumulate ? 1 : 0, c: dW, ldc: inFeatures)
    }

    /// db (out) (+)= column sums of dy (N, out).
    public static func biasGradient<T: GradScalar>(_ dy: UnsafePointer<T>, rows n: Int, outFeatures: Int,
                                                   into db: UnsafeMutablePointer<T>, accumulate: Bool = false) {
        if !accumulate { db.update(repeating: 0, count: outFeatures) }
        for r in 0..<n {
            let row = dy + r * outFeatures
            for j in 0..<outFeatures { db[j] += row[j] }
        }
    }

    /// dx (N, in) (+)= dy (N, out) · W (out, in).
    public static func inputGradient<T: GradScalar>(_ dy: UnsafePointer<T>, rows n: Int, weight: UnsafePointer<T>,
                                                    inFeatures: Int, outFeatures: Int,
                                                    into dx: UnsafeMutablePointer<T>, accumulate: Bool = false) {
        T.gemm(transA: false, transB: false, m: n, n: inFeatures, k: outFeatures, alpha: 1, a: dy, lda: outFeatures,
               b: weight, ldb: inFeatures, beta: accumulate ? 1 : 0, c: dx, ldc: inFeatures)
    }

    /// One linear reading a shared input, seen from its output: dy (N, out), W (out, in), and where dW goes.
    public struct Reader<T: GradScalar> {
        public let dy: UnsafePointer<T>, weight: UnsafePointer<T>, outFeatures: Int, dW: UnsafeMutablePointer<T>
        public init(dy: UnsafePointer<T>, weight: UnsafePointer<T>, outFeatures: Int, dW: UnsafeMutablePointer<T>) {
            self.dy = dy; self.weight = weight; self.outFeatures = outFeatures; self.dW = dW
        }
    }

    /// The backward of several linears that read one input x (N, in), as q/k/v or gate/up:
    /// dWᵢ = dyᵢᵀ·x for each, and, when `dx` is given, dx (N, in) = Σᵢ dyᵢ·Wᵢ.
    public static func sharedInputBackward<T: GradScalar>(_ readers: [Reader<T>], x: UnsafePointer<T>, rows n: Int,
                                                          inFeatures: Int, dx: UnsafeMutablePointer<T>?) {
        for r in readers {
            weightGradient(r.dy, x, rows: n, inFeatures: inFeatures, outFeatures: r.outFeatures, into: r.dW)
        }
        guard let dx else { return }
        for (i, r) in readers.enumerated() {
            inputGradient(r.dy, rows: n, weight: r.weight, inFeatures: inFeatures, outFeatures: r.outFeatures, into: dx,
                          accumulate: i > 0)
        }
    }
}
