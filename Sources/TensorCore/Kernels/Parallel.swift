import Dispatch

/// Splits 0..<count into contiguous chunks run concurrently on all cores.
/// The body receives a half-open range; it must not call multithreaded BLAS.
public enum Parallel {
    /// Threads for our parallel loops (and the column split of `BLAS.parallelGemm`): the online
    /// cores, or `PTQLAB_THREADS` when set to a positive integer. It changes only the f32
    /// summation order of the GEMM column slices (~1e-7 relative; see the README's determinism notes).
    public static let coreCount: Int = {
        if let text = getenv("PTQLAB_THREADS").map({ String(cString: $0) }), let n = Int(text), n > 0 { return n }
        return max(1, sysconfCores())
    }()

    public static func forRanges(_ count: Int, minimumChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunks = min(coreCount, max(1, count / max(1, minimumChunk)))
        if chunks == 1 { body(0..<count); return }
        withoutActuallyEscaping(body) { escapable in
            let box = UncheckedSendable(escapable)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let lo = count * c / chunks, hi = count * (c + 1) / chunks
                if lo < hi { box.value(lo..<hi) }
            }
        }
    }

    /// Runs body(i) for i in 0..<count concurrently (one task per index).
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        guard count > 0 else { return }
        if count == 1 || coreCount == 1 { for i in 0..<count { body(i) }; return }
        withoutActuallyEscaping(body) { escapable in
            let box = UncheckedSendable(escapable)
            DispatchQueue.concurrentPerform(iterations: count) { box.value($0) }
        }
    }

    private static func sysconfCores() -> Int {
        #if canImport(Glibc)
        return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
        return 1
        #endif
    }
}
#if canImport(Glibc)
import Glibc
#endif

/// Carries a value across a concurrency boundary whose safety the caller guarantees (disjoint
/// writes by index range).
public struct UncheckedSendable<T>: @unchecked Sendable {
    public let value: T
    public init(_ value: T) { self.value = value }
}
