#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CBLAS
import TensorCore

/// The element type of the training kernels: `Float` for distillation, `Double` for the gradient
/// checks (finite differences need the extra precision). Every kernel of this module is generic
/// over it and specialized by the compiler; the dense products go to BLAS (`sgemm` / `dgemm`).
public protocol GradScalar: BinaryFloatingPoint, Sendable {
    /// C (m×n) = alpha · op(A) · op(B) + beta · C, row-major, using every core (our own threads).
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Self,
                     a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
                     beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
    /// The same on the calling thread only: for use inside our own parallel loops.
    static func serialGemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Self,
                           a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
                           beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
    static func exp(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
    static func erf(_ x: Self) -> Self
}

extension Float: GradScalar {
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                            a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        BLAS.parallelGemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                          b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
    public static func serialGemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                                  a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                  beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        BLAS.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                  b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
    @inline(__always) public static func exp(_ x: Float) -> Float { Glibc.expf(x) }
    @inline(__always) public static func tanh(_ x: Float) -> Float { Glibc.tanhf(x) }
    @inline(__always) public static func erf(_ x: Float) -> Float { Glibc.erff(x) }
}

extension Double: GradScalar {
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double,
                            a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                            beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        serialGemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                   b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
    public static func serialGemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double,
                                  a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                                  beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }
    @inline(__always) public static func exp(_ x: Double) -> Double { Glibc.exp(x) }
    @inline(__always) public static func tanh(_ x: Double) -> Double { Glibc.tanh(x) }
    @inline(__always) public static func erf(_ x: Double) -> Double { Glibc.erf(x) }
}

/// An owned, zero-initialised array of `count` scalars with a stable address.
public final class GradBuffer<T: GradScalar>: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<T>
    public let count: Int

    public init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    public convenience init(_ values: [T]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    /// A copy of `count` floats converted to T.
    public convenience init(converting source: UnsafePointer<Float>, count: Int) {
        self.init(count: count)
        for i in 0..<count { pointer[i] = T(source[i]) }
    }

    deinit { pointer.deallocate() }

    public func zero() { pointer.update(repeating: 0, count: count) }
    public var array: [T] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
    public subscript(i: Int) -> T {
        get { pointer[i] }
        set { pointer[i] = newValue }
    }
}
