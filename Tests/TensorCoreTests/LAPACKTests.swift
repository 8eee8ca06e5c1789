import Testing
import TensorCore

/// LAPACK through OpenBLAS, row-major wrappers. Tolerance 1e-4: f32 factorizations of
/// well-conditioned 5×5 / 4×6 matrices reproduce their input to a few ulp × condition number.
@Suite struct LAPACKTests {
    // A = BᵀB + I: symmetric positive definite
    static func spd(_ n: Int) -> [Float] {
        var b = [Float](repeating: 0, count: n * n)
        for i in 0..<(n * n) { b[i] = Float((i * 37 % 11)) / 11 - 0.5 }
        var a = [Float](repeating: 0, count: n * n)
        for r in 0..<n { for c in 0..<n {
            var s: Float = r == c ? 1 : 0
            for k in 0..<n { s += b[k * n + r] * b[k * n + c] }
            a[r * n + c] = s
        }}
        return a
    }

    @Test func choleskyUpperReconstructs() throws {
        let n = 5, a = Self.spd(n)
        var u = a
        try LAPACK.choleskyUpper(&u, n: n)
        for r in 0..<n { for c in 0..<n {
            if c < r { #expect(u[r * n + c] == 0) }
            var s: Float = 0
            for k in 0..<n { s += u[k * n + r] * u[k * n + c] } // (UᵀU)[r][c]
            #expect(abs(s - a[r * n + c]) < 1e-4)
        }}
    }

    @Test func inverseSPDIsInverse() throws {
        let n = 5, a = Self.spd(n)
        var inv = a
        try LAPACK.inverseSPD(&inv, n: n)
        for r in 0..<n { for c in 0..<n {
            var s: Float = 0
            for k in 0..<n { s += a[r * n + k] * inv[k * n + c] }
            #expect(abs(s - (r == c ? 1 : 0)) < 1e-4)
        }}
    }

    @Test func notPositiveDefiniteThrows() {
        var a: [Float] = [1, 2, 2, 1]
        #expect(throws: LAPACK.Failure.self) { try LAPACK.choleskyUpper(&a, n: 2) }
    }

    @Test(arguments: [(4, 6), (6, 4)])
    func svdReconstructs(_ shape: (Int, Int)) throws {
        let (m, n) = shape, k = min(m, n)
        let a: [Float] = (0..<(m * n)).map { Float(($0 * 29) % 13) / 13 - 0.4 }
        var work = a
        let (u, s, vt) = try LAPACK.svd(&work, rows: m, columns: n)
        #expect(zip(s, s.dropFirst()).allSatisfy { $0 >= $1 })
        for r in 0..<m { for c in 0..<n {
            var v: Float = 0
            for j in 0..<k { v += u[r * k + j] * s[j] * vt[j * n + c] }
            #expect(abs(v - a[r * n + c]) < 1e-4, "(\(r),\(c))")
        }}
    }
}
