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

    /// Runs a program to its end and returns its stdout, its stderr and its peak resident set
    /// size in bytes (from wait4's rusage, the child alone).
    static func runMeasured(_ program: String, _ arguments: [String]) throws -> (String, String, Int) {
        let outFile = FileManager.default.temporaryDirectory.appendingPathComponent("ptqlab-sub-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: outFile); try? FileManager.default.removeItem(at: outFile.appendingPathExtension("err")) }
        var pid: pid_t = 0
        #if os(Linux)
        var actions = posix_spawn_file_actions_t()
        #else
        var actions: posix_spawn_file_actions_t? = nil
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outFile.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, outFile.path + ".err", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        let envp = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for a in argv + envp { free(a) } }
        let spawned = posix_spawn(&pid, program, &actions, nil, argv, envp)
        guard spawned == 0 else {
            throw Failure(command: program, status: spawned, output: "cannot start (\(String(cString: strerror(spawned))))")
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let out = (try? String(contentsOf: outFile, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOf: outFile.appendingPathExtension("err"), encoding: .utf8)) ?? ""
        let exited = (status & 0x7f) == 0, code = (status >> 8) & 0xff
        guard exited && code == 0 else {
            throw Failure(command: ([program] + arguments).joined(separator: " "), status: exited ? code : -(status & 0x7f),
                          output: out + String(err.suffix(4000)))
        }
        #if os(Linux)
        return (out, err, Int(usage.ru_maxrss) * 1024)   // kilobytes on Linux
        #else
        return (out, err, Int(usage.ru_maxrss))          // bytes on macOS
        #endif
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
