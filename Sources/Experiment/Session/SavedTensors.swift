#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import TensorCore

/// Copies of f32 tensors kept outside the process's heap: written once to an unlinked temporary
/// file and read back through a read-only mapping whose pages are dropped after each read, so a
/// study's base weights cost disk and page cache instead of resident memory (427 MB for
/// SmolLM2-135M's block linears). When the file cannot be written (no temporary directory, disk
/// full), the copies stay in memory instead.
final class SavedTensors {
    private struct Entry {
        var shape: [Int]
        var offset: Int
        var count: Int
    }

    private var entries: [Entry] = []
    private var mapping: MappedFile?
    private var inMemory: [Tensor]?

    /// Saves copies of `tensors`, in order (`tensor(i)` gives the i-th back).
    init(_ tensors: [Tensor], directory: String = NSTemporaryDirectory()) {
        var offset = 0
        for t in tensors {
            entries.append(Entry(shape: t.shape, offset: offset, count: t.count))
            offset += t.count * MemoryLayout<Float>.size
        }
        if let mapping = Self.mapCopies(tensors, bytes: offset, directory: directory) {
            self.mapping = mapping
        } else {
            inMemory = tensors.map { $0.copied() }
        }
    }

    /// Whether the copies live in a file (false: in memory).
    var isFileBacked: Bool { mapping != nil }

    /// A fresh copy of the i-th saved tensor.
    func tensor(_ i: Int) -> Tensor {
        if let inMemory { return inMemory[i].copied() }
        let e = entries[i], mapping = mapping!
        let out = Tensor(zeros: e.shape)
        let bytes = e.count * MemoryLayout<Float>.size
        UnsafeMutableRawPointer(out.pointer).copyMemory(from: mapping.base + e.offset, byteCount: bytes)
        mapping.dropPages(e.offset, bytes)
        return out
    }

    /// Copies the i-th saved tensor into `destination` (same element count).
    func restore(_ i: Int, into destination: Tensor) {
        precondition(destination.count == entries[i].count, "restoring a tensor of another size")
        if let inMemory { destination.pointer.update(from: inMemory[i].pointer, count: destination.count); return }
        let e = entries[i], mapping = mapping!
        let bytes = e.count * MemoryLayout<Float>.size
        UnsafeMutableRawPointer(destination.pointer).copyMemory(from: mapping.base + e.offset, byteCount: bytes)
        mapping.dropPages(e.offset, bytes)
    }

    /// Writes every tensor to a new file in `directory`, unlinks it and maps it; nil on any failure.
    private static func mapCopies(_ tensors: [Tensor], bytes: Int, directory: String) -> MappedFile? {
        guard bytes > 0 else { return nil }
        var template = Array((directory.hasSuffix("/") ? directory : directory + "/").utf8CString.dropLast())
            + Array("ptqlab-snapshot-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { return nil }
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { close(fd); unlink(path) }
        for t in tensors {
            var p = UnsafeRawPointer(t.pointer), left = t.count * MemoryLayout<Float>.size
            while left > 0 {
                let n = write(fd, p, left)
                guard n > 0 else { return nil }
                p += n; left -= n
            }
        }
        // The mapping keeps the unlinked file's data reachable until it is unmapped.
        return try? MappedFile(path: path)
    }
}
