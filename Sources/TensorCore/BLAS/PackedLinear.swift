import Foundation
import GEMMKernels

/// Which GEMM runs the linear layers: our AVX-512 kernel (weights packed once) or OpenBLAS.
public enum LinearBackend: String, Sendable {
    case avx512, openBLAS

    /// AVX-512 when the CPU has avx512f/dq/bw/vl (the x86-64-v4 set GEMMKernels is compiled for)
    /// and PTQLAB_GEMM is not `openblas`; OpenBLAS otherwise. Decided once per process.
    public static let automatic: LinearBackend = {
        if let env = getenv("PTQLAB_GEMM"), String(cString: env).lowercased() == "openblas" { return .openBLAS }
        return CPUFeatures.hasAVX512 ? .avx512 : .openBLAS
    }()
}

/// CPU features read once from /proc/cpuinfo (haswell-compiled code: safe on any x86-64 CPU).
public enum CPUFeatures {
    public static let flags: Set<String> = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return [] }
        for line in text.split(separator: "\n") where line.hasPrefix("flags") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        }
        return []
    }()

    /// The AVX-512 subsets x86-64-v4 code may use (plus the v3 set every x86-64-v4 CPU has).
    public static var hasAVX512: Bool {
        #if arch(x86_64)
        return ["avx512f", "avx512dq", "avx512bw", "avx512vl", "avx2", "fma", "bmi2"].allSatisfy(flags.contains)
        #else
        return false
        #endif
    }
}

/// A linear layer's weight W (outFeatures × inFeatures, row-major) prepared for
/// `BLAS.linear(_:rows:packed:out:accumulate:)`. With the AVX-512 backend it holds a packed copy
/// (48-row panels, k-major: the same number of floats as W, rounded up to 48 rows); with OpenBLAS
/// it only references W. Either way it keeps W's storage alive. The packed copy is a snapshot:
/// rebuild it if W's values change.
public final class PackedLinearWeight: @unchecked Sendable {
    public let outFeatures: Int
    public let inFeatures: Int
    public let backend: LinearBackend
    /// The weight it was built from (storage shared, not copied).
    public let source: Tensor
    let packed: FloatBuffer?

    public init(_ weight: Tensor, backend: LinearBackend = .automatic) {
        precondition(weight.shape.count == 2, "a linear weight is 2-D")
        source = weight
        outFeatures = weight.shape[0]
        inFeatures = weight.shape[1]
        self.backend = backend
        guard backend == .avx512 else { packed = nil; return }
        let n = outFeatures, k = inFeatures
        let buffer = FloatBuffer(count: SGEMM.packedCount(n: n, k: k), zeroed: false)
        let panels = (n + SGEMM.nr - 1) / SGEMM.nr
        let w = UncheckedSendable(weight.pointer), dst = UncheckedSendable(buffer.pointer)
        Parallel.forRanges(panels, minimumChunk: 16) { range in
            SGEMM.packWeight(w.value, n: n, k: k, ldw: k, into: dst.value, panels: range)
        }
        packed = buffer
    }

    /// Bytes held beyond W itself (0 for OpenBLAS).
    public var extraBytes: Int { (packed?.count ?? 0) * MemoryLayout<Float>.size }

    /// True when built from exactly this tensor (same storage and shape).
    public func isBuilt(from weight: Tensor) -> Bool {
        weight.storage === source.storage && weight.shape == source.shape
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
    /// AVX-512 path: both cores, splitting W's 48-row panels (or x's rows when there are too few
    /// panels); OpenBLAS path: `linear(_:rows:inFeatures:weight:outFeatures:out:accumulate:)`.
    /// `threads` (AVX-512 path only) caps the parts the product is split into.
    public static func linear(
        _ x: UnsafePointer<Float>, rows m: Int, packed: PackedLinearWeight,
        out: UnsafeMutablePointer<Float>, accumulate: Bool = false, threads: Int = Parallel.coreCount
    ) {
        let n = packed.outFeatures, k = packed.inFeatures
        guard m > 0, n > 0 else { return }
        guard packed.backend == .avx512, let buffer = packed.packed else {
            linear(x, rows: m, inFeatures: k, weight: packed.source.pointer, outFeatures: n, out: out,
                   accumulate: accumulate)
            return
        }
        let w = UncheckedSendable(UnsafePointer(buffer.pointer))
        let xs = UncheckedSendable(x), o = UncheckedSendable(out)
        let panels = (n + SGEMM.nr - 1) / SGEMM.nr
        let parts = max(1, threads)
        let run = { (mRange: Range<Int>, pRange: Range<Int>) in
            SGEMM.gemm(a: xs.value, lda: k, mRange: mRange, packedW: w.value, n: n, k: k, panels: pRange,
                       c: o.value, ldc: n, accumulate: accumulate)
        }
        if parts == 1 || m * n * k < 1 << 18 {
            run(0..<m, 0..<panels)
        } else if (panels >= 4 * parts && (panels % parts == 0 || panels >= 16 * parts)) || m < 32 * parts {
            // split W's panels: each core reads half of W once
            Parallel.forEach(parts) { p in
                run(0..<m, panels * p / parts ..< panels * (p + 1) / parts)
            }
        } else {
            // split rows in multiples of 8 (the micro-kernel's height)
            let blocks = (m + SGEMM.mr - 1) / SGEMM.mr
            Parallel.forEach(parts) { p in
                let lo = min(m, blocks * p / parts * SGEMM.mr), hi = min(m, blocks * (p + 1) / parts * SGEMM.mr)
                run(lo..<hi, 0..<panels)
            }
        }
    }
}
