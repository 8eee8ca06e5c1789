import Foundation
import Testing

/// A `quantize DIR --out x.gguf` stopped by SIGTERM (or Ctrl-C) removes its model-sized temporary
/// GGUF (`x.gguf.source.tmp.gguf`) and any `.partial` file, and still ends by that signal.
@Suite struct InterruptCleanupCLITests {
    @Test func sigtermDuringQuantizeRemovesTheTemporaryGGUF() throws {
        let root = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = root.appendingPathComponent("smollm2-hf").path
        let exported = try CLI.run(["export-hf", CLI.defaultModel, "--out", directory, "--dtype", "f16"])
        try #require(exported.status == 0, "\(exported.stderr)")
        let out = root.appendingPathComponent("x.gguf").path
        let temporary = out + ".source.tmp.gguf"

        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.executable)
        // GPTQ with calibration: tens of seconds after the conversion, so the signal lands while
        // the temporary file exists
        p.arguments = ["quantize", directory, "--quant", "q4_k_m", "--method", "gptq", "--calib-samples", "16", "--out", out, "--quiet"]
        p.currentDirectoryURL = URL(fileURLWithPath: CLI.packageRoot)
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(300)
        while !FileManager.default.fileExists(atPath: temporary) && p.isRunning && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        let sawTemporary = FileManager.default.fileExists(atPath: temporary)
        Thread.sleep(forTimeInterval: 1)
        let stillRunning = p.isRunning
        p.terminate()  // SIGTERM
        p.waitUntilExit()
        try #require(sawTemporary && stillRunning, "the run did not reach quantization with its temporary GGUF in place")
        #expect(p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGTERM,
                "ended with \(p.terminationReason == .exit ? "exit" : "signal") \(p.terminationStatus)")
        for leftover in [temporary, temporary + ".partial", out, out + ".partial"] {
            #expect(!FileManager.default.fileExists(atPath: leftover), "\(leftover) left behind")
        }
    }
}
