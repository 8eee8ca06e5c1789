#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Errors from opening or mapping a file; each names the file.
public struct FileAccessError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String
    public init(path: String, reason: String) { self.path = path; self.reason = reason }
    public var description: String { "\(path): \(reason)" }
}

/// A read-only memory-mapped file. The mapping lives as long as this object; raw pointers into it
/// (e.g. tensor data of a GGUF or safetensors file) must not outlive it.
public final class MappedFile: @unchecked Sendable {
    public let path: String
    public let count: Int
    public let base: UnsafeRawPointer

    public init(path: String) throws {
        self.path = path
        // O_NONBLOCK: opening a FIFO (or another special file) must not wait for a writer; it is refused below.
        let fd = open(path, O_RDONLY | O_NONBLOCK)
        guard fd >= 0 else {
            throw FileAccessError(path: path, reason: "cannot open (\(String(cString: strerror(errno))))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw FileAccessError(path: path, reason: "cannot stat (\(String(cString: strerror(errno))))")
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            throw FileAccessError(path: path, reason: "is a directory, expected a file")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw FileAccessError(path: path, reason: "is not a regular file (a FIFO, socket or device cannot be mapped)")
        }
        count = Int(st.st_size)
        if count == 0 {
            // mmap of length 0 fails; give an empty, valid pointer instead.
            base = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 64))
            return
        }
        let p = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let p, p != MAP_FAILED else {
            throw FileAccessError(path: path, reason: "cannot mmap (\(String(cString: strerror(errno))))")
        }
        base = UnsafeRawPointer(p)
    }

    deinit {
        if count == 0 { UnsafeMutableRawPointer(mutating: base).deallocate() } else {
            munmap(UnsafeMutableRawPointer(mutating: base), count)
        }
    }

    /// Lets the pages of bytes [offset, offset+length) go from this process's memory (they stay in
    /// the page cache; reading them again maps them back). Loaders call it after decoding a tensor,
    /// so a model's file does not stay resident beside the f32 weights made from it.
    public func dropPages(_ offset: Int, _ length: Int) {
        guard count > 0, length > 0 else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let lo = offset / page * page, hi = min(count, (offset + length + page - 1) / page * page)
        guard hi > lo else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base + lo), hi - lo, MADV_DONTNEED)
    }

    /// Bytes [offset, offset+length) as a buffer; the caller checks bounds first.
    public func bytes(_ offset: Int, _ length: Int) -> UnsafeRawBufferPointer {
        precondition(offset >= 0 && length >= 0 && offset + length <= count)
        return UnsafeRawBufferPointer(start: base + offset, count: length)
    }
}
