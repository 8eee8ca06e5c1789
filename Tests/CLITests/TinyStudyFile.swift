import Foundation
import Study

/// A small real study for process-level tests: the tiny Gemma 3 GGUF and the tiny OPT directory,
/// per model the base, RTN W8/W4 per-row, RTN and GPTQ W4 g16 (calibrated on 4 × 32 tokens of
/// wiki): ten experiments of about a second each, model loads, quantization, commits and a report.
enum TinyStudyFile {
    static let experiments = 10

    static var yaml: String {
        """
        name: tiny
        models: [\(CLI.packageRoot)/Fixtures/models/tiny-gemma3/model.gguf, \(CLI.packageRoot)/Fixtures/models/tiny-opt]
        methods: [rtn]
        schemes:
          - {bits: [8, 4], granularity: row}
          - {bits: 4, granularity: g16, methods: [rtn, gptq]}
        calibration: {corpus: wiki, samples: 4, length: 32}
        evaluation: {context: 32, perplexity: {corpora: [wiki], max_windows: 4}, kl: {corpora: [wiki], max_windows: 2}}
        """
    }

    /// A fresh directory holding `tiny.yaml`.
    static func make() throws -> (dir: URL, file: String) {
        let dir = try CLI.temporaryDirectory()
        let file = dir.appendingPathComponent("tiny.yaml").path
        try yaml.write(toFile: file, atomically: true, encoding: .utf8)
        return (dir, file)
    }

    /// Starts `ptqlab ARGS` without waiting (output discarded unless `output` names a file).
    static func start(_ args: [String], output: String? = nil, launcher: [String] = []) throws -> Process {
        let p = Process()
        if launcher.isEmpty {
            p.executableURL = URL(fileURLWithPath: CLI.executable)
            p.arguments = args
        } else {
            p.executableURL = URL(fileURLWithPath: launcher[0])
            p.arguments = Array(launcher.dropFirst()) + [CLI.executable] + args
        }
        p.currentDirectoryURL = URL(fileURLWithPath: CLI.packageRoot)
        if let output {
            _ = FileManager.default.createFile(atPath: output, contents: nil)   // FileHandle below fails if it could not be
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
            p.standardOutput = handle
            p.standardError = handle
        } else {
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
        }
        try p.run()
        return p
    }

    /// Runs `ptqlab ARGS` through `launcher` (e.g. `setpriv …`, `sh -c …`) and collects its output.
    static func run(_ args: [String], launcher: [String]) throws -> CLI.Result {
        let log = try CLI.temporaryDirectory().appendingPathComponent("out.txt").path
        let p = try start(args, output: log, launcher: launcher)
        p.waitUntilExit()
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return CLI.Result(status: p.terminationStatus, stdout: text, stderr: text)
    }
}
