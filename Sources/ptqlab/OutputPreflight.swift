import Foundation

/// Checks, before a long run starts, that its output can be written: a study that would fail
/// only when it writes its report (hours later) fails now instead.
enum OutputPreflight {
    /// Creates `directory` when missing and writes, then removes, a small file in it.
    static func requireWritableDirectory(_ directory: String, purpose: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw CLIPreflightError("\(directory): cannot create the \(purpose) directory (\(Self.reason(error)))")
        }
        let probe = (directory as NSString).appendingPathComponent(".ptqlab-write-probe-\(getpid())")
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else {
            throw CLIPreflightError("\(directory): cannot write the \(purpose) directory (\(String(cString: strerror(errno))))")
        }
        let bytes = Array("ok\n".utf8)
        let written = write(fd, bytes, bytes.count)
        let writeErrno = errno
        close(fd)
        unlink(probe)
        guard written == bytes.count else {
            throw CLIPreflightError("\(directory): cannot write the \(purpose) directory (\(String(cString: strerror(writeErrno))))")
        }
    }

    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let posix = ns.userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(posix.code)))
        }
        return ns.localizedDescription
    }
}

/// A check before running failed; the message names the path.
struct CLIPreflightError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
