#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Free functions, so the class's own `write` / `close` methods do not shadow the C calls.
private func posixWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}

private func posixClose(_ descriptor: Int32) -> Int32 { close(descriptor) }

/// A file being written with POSIX calls; every failure is a `FormatError` naming the file.
final class SafetensorsOutputFile {
    let path: String
    private var descriptor: Int32

    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else {
            throw FormatError(file: path, field: "file", "cannot create (\(String(cString: strerror(errno))))")
        }
    }

    deinit {
        if descriptor >= 0 { _ = posixClose(descriptor) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard var pointer = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = posixWrite(descriptor, pointer, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                throw FormatError(file: path, field: "file", "write failed (\(String(cString: strerror(errno))))")
            }
            pointer += written
            remaining -= written
        }
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    func close() throws {
        let result = posixClose(descriptor)
        descriptor = -1
        guard result == 0 else {
            throw FormatError(file: path, field: "file", "close failed (\(String(cString: strerror(errno))))")
        }
    }
}
