import CBLAS

/// LAPACK routines the quantizers need (OpenBLAS ships LAPACK). LAPACK is column-major; every
/// function here takes and returns row-major matrices and says how it maps.
public enum LAPACK {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let routine: String
        public let info: Int32
        public var description: String {
            info > 0 ? "\(routine): matrix is not positive definite (leading minor \(info) is not positive)"
                     : "\(routine): argument \(-info) is invalid"
        }
    }

    /// In place: a symmetric positive-definite (n×n) matrix A → its Cholesky factor U, upper
    /// triangular with A = Uᵀ·U (row-major; the strict lower triangle is set to 0).
    public static func choleskyUpper(_ a: UnsafeMutablePointer<Float>, n: Int) throws {
        // Row-major upper == column-major lower of the same memory: ask LAPACK for "L".
        var uplo = Int8(UInt8(ascii: "L")), nn = Int32(n), lda = Int32(n), info: Int32 = 0
        spotrf_(&uplo, &nn, a, &lda, &info)
        guard info == 0 else { throw Failure(routine: "spotrf", info: info) }
        for r in 1..<max(n, 1) { for c in 0..<r { a[r * n + c] = 0 } }
    }

    /// In place: a symmetric positive-definite (n×n) matrix A → A⁻¹ (full, symmetric).
    public static func inverseSPD(_ a: UnsafeMutablePointer<Float>, n: Int) throws {
        var uplo = Int8(UInt8(ascii: "L")), nn = Int32(n), lda = Int32(n), info: Int32 = 0
        spotrf_(&uplo, &nn, a, &lda, &info)
        guard info == 0 else { throw Failure(routine: "spotrf", info: info) }
        spotri_(&uplo, &nn, a, &lda, &info)
        guard info == 0 else { throw Failure(routine: "spotri", info: info) }
        // Column-major lower = row-major upper holds the result: mirror it.
        for r in 1..<max(n, 1) { for c in 0..<r { a[r * n + c] = a[c * n + r] } }
    }

    /// Thin SVD of a row-major (m×n) matrix: A = U·diag(s)·Vᵀ with U (m×k), s (k), Vᵀ (k×n),
    /// k = min(m, n), singular values descending. `a` is destroyed.
    public static func svd(_ a: UnsafeMutablePointer<Float>, rows m: Int, columns n: Int)
        throws -> (u: [Float], s: [Float], vt: [Float]) {
        // Row-major A (m×n) is, in the same memory, column-major Aᵀ (n×m): factor Aᵀ.
        let k = min(m, n)
        var jobz = Int8(UInt8(ascii: "S"))
        var mm = Int32(n), nn = Int32(m), lda = Int32(n)
        var s = [Float](repeating: 0, count: k)
        var u2 = [Float](repeating: 0, count: n * k)     // column-major (n×k): left vectors of Aᵀ
        var vt2 = [Float](repeating: 0, count: k * m)    // column-major (k×m): right vectors of Aᵀ
        var ldu = Int32(n), ldvt = Int32(k)
        var iwork = [Int32](repeating: 0, count: 8 * k)
        var info: Int32 = 0
        var lwork: Int32 = -1
        var query: Float = 0
        sgesdd_(&jobz, &mm, &nn, a, &lda, &s, &u2, &ldu, &vt2, &ldvt, &query, &lwork, &iwork, &info)
        guard info == 0 else { throw Failure(routine: "sgesdd", info: info) }
        lwork = Int32(query)
        var work = [Float](repeating: 0, count: Int(lwork))
        sgesdd_(&jobz, &mm, &nn, a, &lda, &s, &u2, &ldu, &vt2, &ldvt, &work, &lwork, &iwork, &info)
        guard info == 0 else { throw Failure(routine: "sgesdd", info: info) }
        // Aᵀ = U2·S·VT2 (column-major)  ⇒  A = VT2ᵀ·S·U2ᵀ.
        // VT2 column-major (k×m) read row-major is (m×k) = VT2ᵀ: that is U. U2 column-major (n×k)
        // read row-major is (k×n) = U2ᵀ: that is Vᵀ.
        return (u: vt2, s: s, vt: u2)
    }
}
