import Foundation

/// Files the path-based parsers read: one directory per process (in /dev/shm when it exists), one
/// file per name, rewritten for every input and removed at exit.
enum Scratch {
    nonisolated(unsafe) private(set) static var directory = ""

    static func prepare() {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        directory = base + "/ptqlab-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: Scratch.directory) }
    }

    nonisolated(unsafe) private static var created: Set<String> = []

    /// A subdirectory of the scratch directory (created on first use).
    static func subdirectory(_ name: String) -> String {
        let path = directory + "/" + name
        if created.insert(name).inserted {
            try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        return path
    }

    /// Writes `bytes` to `name` inside the scratch directory (replacing it) and returns its path.
    @discardableResult
    static func write(_ bytes: UnsafeBufferPointer<UInt8>, to name: String) -> String {
        let path = directory + "/" + name
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0, "cannot create \(path)")
        var written = 0
        while written < bytes.count {
            let n = Foundation.write(fd, bytes.baseAddress! + written, bytes.count - written)
            precondition(n > 0, "cannot write \(path)")
            written += n
        }
        close(fd)
        return path
    }

    @discardableResult
    static func write(_ bytes: [UInt8], to name: String) -> String {
        bytes.withUnsafeBufferPointer { write($0, to: name) }
    }
}
