import Foundation
import KernelCore

/// A linear layer's weight W (outFeatures × inFeatures, row-major) prepared for
/// `BLAS.linear(_:rows:packed:out:accumulate:)`. With a kernel backend (AVX-512, AVX2, portable)
/// it holds a packed copy (nr-row panels, k-major: the same number of floats as W, rounded up to
/// nr rows); with BLAS it only references W. It keeps W's storage alive until `releaseSource()`,
/// after which a kernel copy is the only copy of W (`unpacked()` gives it back row-major). The
/// packed copy is a snapshot: rebuild it if W's values change.
public final class PackedLinearWeight: @unchecked Sendable {
    public let outFeatures: Int
    public let inFeatures: Int
    public let backend: LinearBackend
    /// The weight it was built from (storage shared, not copied); nil after `releaseSource()`.
    public private(set) var source: Tensor?
    let packed: FloatBuffer?
    /// W kept compressed (memory-lean execution): products decode it as they pack (`DecodingGEMM`).
    public let compressed: CompressedMatrix?

    public init(_ weight: Tensor, backend: LinearBackend = .automatic) {
        precondition(weight.shape.count == 2, "a linear weight is 2-D")
        source = weight
        outFeatures = weight.shape[0]
        inFeatures = weight.shape[1]
        precondition(backend.isSupported, "GEMM variant \(backend.rawValue) cannot run on \(CPUFeatures.summary)")
        self.backend = backend
        compressed = nil
        guard let kernel = backend.kernel else { packed = nil; return }
        let n = outFeatures, k = inFeatures
        let buffer = FloatBuffer(count: kernel.packedCount(n: n, k: k), zeroed: false)
        let panels = (n + kernel.nr - 1) / kernel.nr
        let w = UncheckedSendable(weight.pointer), dst = UncheckedSendable(buffer.pointer)
        Parallel.forRanges(panels, minimumChunk: max(1, 768 / kernel.nr)) { range in
            kernel.pack(w.value, n, k, k, dst.value, range)
        }
        packed = buffer
    }

    /// W computed with straight from its compressed form: nothing packed, nothing widened ahead.
    public init(compressed: CompressedMatrix, backend: LinearBackend = .automatic) {
        precondition(backend.isSupported, "GEMM variant \(backend.rawValue) cannot run on \(CPUFeatures.summary)")
        outFeatures = compressed.rows
        inFeatures = compressed.columns
        self.backend = backend
        self.compressed = compressed
        source = nil
        packed = nil
    }

    /// Bytes held beyond W itself (0 for BLAS, and once the source is released).
    public var extraBytes: Int { source == nil ? 0 : (packed?.count ?? 0) * MemoryLayout<Float>.size }

    /// True when built from exactly this tensor (same storage and shape).
    public func isBuilt(from weight: Tensor) -> Bool {
        guard let source else { return false }
        return weight.storage === source.storage && weight.shape == source.shape
    }

    /// Lets go of the row-major source when a packed copy holds W (no-op for BLAS, which computes
    /// from the source). Returns whether it did.
    @discardableResult
    public func releaseSource() -> Bool {
        guard packed != nil else { return false }
        source = nil
        return true
    }

    /// Floats in the kernel copy (0 for BLAS).
    public var packedFloatCount: Int { packed?.count ?? 0 }

    /// W (outFeatures × inFeatures, row-major): the source while held, else unpacked from the
    /// kernel copy (panel p holds rows p·nr ..< p·nr + nr, k-major: element (kk, j) at kk·nr + j).
    public func unpacked() -> Tensor {
        if let source { return source }
        if let compressed { return compressed.decoded() }
        let n = outFeatures, k = inFeatures
        let out = Tensor(zeros: [n, k])
        let dst = UncheckedSendable(out.pointer)
        Parallel.forRanges(n, minimumChunk: 64) { rows in
            for r in rows { self.copyRow(r, into: dst.value + r * k) }
        }
        return out
    }

    /// row (inFeatures) = row `r` of W, from the source while held, else from the kernel copy.
    public func copyRow(_ r: Int, into row: UnsafeMutablePointer<Float>) {
        let k = inFeatures
        if let source { row.update(from: source.pointer + r * k, count: k); return }
        if let compressed { compressed.decodeRows(r..<(r + 1), into: row); return }
        guard let kernel = backend.kernel, let packed else { preconditionFailure("a BLAS weight keeps its source") }
        let nr = kernel.nr
        let lane = UnsafePointer(packed.pointer) + (r / nr) * nr * k + r % nr
        for kk in 0..<k { row[kk] = lane[kk * nr] }
    }
}

/// A lazily built, thread-safe `PackedLinearWeight` for a weight that may be replaced: `get`
/// rebuilds when handed a tensor with different storage or shape; `invalidate` drops the copy
/// (call it after changing W's values in place).
public final class PackedLinearWeightCache: @unchecked Sendable {
    private let lock = NSLock()
    private var value: PackedLinearWeight?
    public init() {}

    public func get(_ weight: Tensor) -> PackedLinearWeight {
        lock.lock(); defer { lock.unlock() }
        if let value, value.isBuilt(from: weight), value.backend == .automatic { return value }
        let fresh = PackedLinearWeight(weight)
        value = fresh
        return fresh
    }

    public func invalidate() {
        lock.lock(); defer { lock.unlock() }
        value = nil
    }

    /// The current packed copy, if any (for memory accounting).
    public var current: PackedLinearWeight? { lock.lock(); defer { lock.unlock() }; return value }
}

extension BLAS {
    /// out (rows, outF) = x (rows, inF) · Wᵀ (+ out with `accumulate`), W prepared in `packed`.
    /// Kernel paths: both cores, splitting W's panels (or x's rows when there are too few panels);
    /// BLAS path: `linear(_:rows:inFeatures:weight:outFeatures:out:accumulate:)`. `threads`
    /// (kernel paths only) caps the parts the product is split into.
    public static func linear(
        _ x: UnsafePointer<Float>, rows m: Int, packed: PackedLinearWeight,
        out: UnsafeMutablePointer<Float>, accumulate: Bool = false, threads: Int = Parallel.coreCount
    ) {
        let n = packed.outFeatures, k = packed.inFeatures
        guard m > 0, n > 0 else { return }
        if let compressed = packed.compressed {
            linear(x, rows: m, compressed: compressed, backend: packed.backend, out: out, accumulate: accumulate, threads: threads)
            return
        }
        guard let kernel = packed.backend.kernel, let buffer = packed.packed else {
            linear(x, rows: m, inFeatures: k, weight: packed.source!.pointer, outFeatures: n, out: out,
                   accumulate: accumulate)
            return
        }
        let w = UncheckedSendable(UnsafePointer(buffer.pointer))
        let xs = UncheckedSendable(x), o = UncheckedSendable(out)
        splitWork(rows: m, n: n, k: k, kernel: kernel, threads: threads) { mRange, pRange in
            kernel.gemm(xs.value, k, mRange, w.value, n, k, pRange, o.value, n, accumulate)
        }
    }

    /// out (rows, n) = x (rows, k) · Wᵀ (+ out with `accumulate`) for W kept compressed: the kernel
    /// paths decode W as they pack it (`DecodingGEMM`), split across cores exactly as the f32
    /// product is (so the results are bit-identical to it); BLAS decodes slices of W's rows into a
    /// bounded buffer and multiplies each slice.
    static func linear(
        _ x: UnsafePointer<Float>, rows m: Int, compressed: CompressedMatrix, backend: LinearBackend,
        out: UnsafeMutablePointer<Float>, accumulate: Bool, threads: Int
    ) {
        let n = compressed.rows, k = compressed.columns
        guard let kernel = backend.kernel else {
            let slice = max(1, min(n, (1 << 22) / max(1, k)))   // 16 MB of f32 rows at a time
            let buffer = FloatBuffer(count: slice * k, zeroed: false)
            var r0 = 0
            while r0 < n {
                let range = r0..<min(n, r0 + slice)
                let dst = UncheckedSendable(buffer.pointer)
                Parallel.forRanges(range.count, minimumChunk: 16) { rows in
                    compressed.decodeRows((r0 + rows.lowerBound)..<(r0 + rows.upperBound), into: dst.value + rows.lowerBound * k)
                }
                // out[:, range] (ldc n) = x · W[range]ᵀ
                parallelGemm(transB: true, m: m, n: range.count, k: k, a: x, lda: k, b: buffer.pointer, ldb: k,
                             beta: accumulate ? 1 : 0, c: out + r0, ldc: n)
                r0 = range.upperBound
            }
            return
        }
        let view = compressed.view
        let xs = UncheckedSendable(x), o = UncheckedSendable(out)
        withExtendedLifetime(compressed) {
            splitWork(rows: m, n: n, k: k, kernel: kernel, threads: threads) { mRange, pRange in
                kernel.gemmCompressed(xs.value, k, mRange, view, n, k, pRange, o.value, n, accumulate)
            }
        }
    }

    /// Runs `run(rows, panels)` over the parts a product of (m×k)·(n×k)ᵀ is split into: W's panels
    /// across cores (each reads its half of W once), or x's rows in multiples of the micro-kernel's
    /// height when W has too few panels; one part when the product is small.
    static func splitWork(rows m: Int, n: Int, k: Int, kernel: GEMMOps, threads: Int,
                          _ run: @escaping @Sendable (Range<Int>, Range<Int>) -> Void) {
        let panels = (n + kernel.nr - 1) / kernel.nr
        let parts = max(1, threads)
        if parts == 1 || m * n * k < 1 << 18 {
            run(0..<m, 0..<panels)
        } else if (panels * kernel.nr >= 192 * parts && (panels % parts == 0 || panels * kernel.nr >= 768 * parts))
                    || m < 32 * parts {
            // split W's panels: each core reads half of W once
            Parallel.forEach(parts) { p in
                run(0..<m, panels * p / parts ..< panels * (p + 1) / parts)
            }
        } else {
            // split rows in multiples of the micro-kernel's height
            let mr = kernel.mr
            let blocks = (m + mr - 1) / mr
            Parallel.forEach(parts) { p in
                let lo = min(m, blocks * p / parts * mr), hi = min(m, blocks * (p + 1) / parts * mr)
                run(lo..<hi, 0..<panels)
            }
        }
    }
}
