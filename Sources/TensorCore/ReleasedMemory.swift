import Foundation

/// Gives freed memory back to the system after large releases. glibc raises its mmap threshold to
/// the largest block ever freed (up to 32 MB), so after the first weight matrix is released the
/// others live in the heap, and freeing them (e.g. each weight's row-major copy once it is packed)
/// leaves holes the process keeps: `malloc_trim` returns their pages. Counted, so the heap is
/// trimmed once per 64 MB released rather than per matrix. No-op off glibc.
public enum ReleasedMemory {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var pending = 0
    static let trimEvery = 64 << 20

    /// Records `bytes` just freed; trims the heap when enough has accumulated.
    public static func note(bytes: Int) {
        lock.lock()
        pending += bytes
        let due = pending >= trimEvery
        if due { pending = 0 }
        lock.unlock()
        if due { trimNow() }
    }

    /// Returns free heap pages to the system now.
    public static func trimNow() {
        #if os(Linux)
        _ = glibcMallocTrim(0)
        #endif
    }
}

#if os(Linux)
/// glibc's `int malloc_trim(size_t pad)` (malloc.h is not in the Glibc module).
@_silgen_name("malloc_trim") private func glibcMallocTrim(_ pad: Int) -> Int32
#endif
