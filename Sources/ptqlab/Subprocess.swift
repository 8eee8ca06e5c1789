import Foundation

enum Subprocess {
    struct Failure: Error, CustomStringConvertible {
        let command: String, status: Int32, output: String
        var description: String { "\(command) exited with \(status):\n\(output)" }
    }

    /// Runs a program and returns its stdout; its stderr (progress bars, warnings) is shown only
    /// when it fails.
    static func run(_ program: String, _ arguments: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = arguments
        let outPipe = Pipe(), errPipe = Pipe()
        p.standardOutput = outPipe
        p.standardError = errPipe
        try p.run()
        // Drain stderr on another thread so neither pipe can fill up and block the child.
        let errBox = ErrorOutput()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { errBox.data = errPipe.fileHandleForReading.readDataToEndOfFile(); done.signal() }
        let data = outPipe.fileHandleForReading.readDataToEndOfFile()
        done.wait()
        p.waitUntilExit()
        let out = String(decoding: data, as: UTF8.self)
        guard p.terminationStatus == 0 else {
            throw Failure(command: ([program] + arguments).joined(separator: " "), status: p.terminationStatus,
                          output: out + String(decoding: errBox.data, as: UTF8.self))
        }
        return out
    }

    private final class ErrorOutput: @unchecked Sendable { var data = Data() }
}

/// Files of the PTQLab checkout itself (peer scripts), found by walking up from the current
/// directory and from the executable.
enum RepositoryFiles {
    static func root() -> String? {
        let fm = FileManager.default
        var starts = [fm.currentDirectoryPath]
        if let exe = try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe") { starts.append(exe) }
        for start in starts {
            var url = URL(fileURLWithPath: start)
            for _ in 0..<8 {
                if fm.fileExists(atPath: url.appendingPathComponent("scripts/peers/torch_forward.py").path) {
                    return url.path
                }
                url.deleteLastPathComponent()
            }
        }
        return nil
    }
}
