import ArgumentParser
import Evaluation
import Foundation
import ModelFormats
import Models

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Forward-pass throughput (tokens/s) beside peers run on the same machine in the same run.")

    @Argument(help: "GGUF file or Hugging Face model directory (default: the pinned SmolLM2-135M).")
    var model: String?

    @Option(help: "Tokens per window.")
    var context: Int = 512

    @Option(help: "Windows per measurement.")
    var windows: Int = 4

    @Option(help: "Repetitions; the best is reported (for us and for peers).")
    var reps: Int = 3

    @Option(help: "Python with torch + transformers for the PyTorch peer (default: .venv-peers/bin/python; see scripts/setup-peers.sh).")
    var python: String?

    @Flag(help: "Measure PTQLab only.")
    var noPeers = false

    @Option(help: "Output format: text or json.")
    var format: String = "text"

    func run() throws {
        try runReportingErrors {
            let assets = AssetLocator()
            let modelPath = try model ?? assets.defaultModel
            let loaded = try ModelLoader.load(path: modelPath)
            // Real text, so attention patterns are realistic: the first windows of wiki's held-out part.
            let text = try Corpora.load("wiki", assets: assets).evaluation
            let ids = loaded.tokenizer.encode(text, addSpecial: true)
            guard ids.count >= context * windows else {
                throw ValidationError("wiki has only \(ids.count) tokens; lower --windows or --context")
            }
            let input = (0..<windows).map { Array(ids[($0 * context)..<(($0 + 1) * context)]) }

            var rows: [BenchRow] = []
            for batch in [1, windows] {
                let tps = try measure(loaded.model, input, batch: batch)
                rows.append(BenchRow(name: "ptqlab (f32, batch \(batch))", tokensPerSecond: tps))
            }
            if !noPeers {
                rows.append(contentsOf: try peers(modelPath: modelPath, input: input))
            }
            let report = BenchReport(model: modelPath, context: context, windows: windows, rows: rows)
            print(format == "json" ? try report.json() : report.table())
        }
    }

    func measure(_ model: any CausalLanguageModel, _ input: [[Int32]], batch: Int) throws -> Double {
        var best = Double.infinity
        var sink: Float = 0
        for _ in 0...reps {  // first pass is a warm-up
            let start = Date()
            var i = 0
            while i < input.count {
                let chunk = Array(input[i..<min(i + batch, input.count)])
                try model.forward(windows: chunk, observer: nil) { _, _, logits in sink += logits[0] }
                i += chunk.count
            }
            best = min(best, Date().timeIntervalSince(start))
        }
        if sink.isNaN { printStderr("warning: NaN logits") }
        best = best.isFinite ? best : 0
        return Double(input.count * input[0].count) / max(best, 1e-9)
    }

    func peers(modelPath: String, input: [[Int32]]) throws -> [BenchRow] {
        guard let root = RepositoryFiles.root() else {
            printStderr("bench: peers skipped: scripts/peers not found (run from the PTQLab checkout)")
            return []
        }
        let py = python ?? root + "/.venv-peers/bin/python"
        guard FileManager.default.isExecutableFile(atPath: py) else {
            printStderr("bench: PyTorch peer skipped: no \(py) (run scripts/setup-peers.sh)")
            return []
        }
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("ptqlab-bench-\(getpid()).json")
        try JSONEncoder().encode(input).write(to: tmp)
        defer { try? FileManager.default.removeItem(at: tmp) }
        var rows: [BenchRow] = []
        let torchOut = try Subprocess.run(py, [root + "/scripts/peers/torch_forward.py", "bench", modelPath,
                                               "--tokens", tmp.path, "--reps", String(reps), "--threads", threads])
        rows.append(try peerRow(torchOut, suffix: "(f32, batch 1)"))

        // llama.cpp at the same precision: an f32 copy of the GGUF, when llama-cpp-python is there.
        if modelPath.hasSuffix(".gguf"), (try? Subprocess.run(py, ["-c", "import llama_cpp"])) != nil {
            let f32 = FileManager.default.temporaryDirectory.appendingPathComponent("ptqlab-bench-\(getpid())-f32.gguf")
            defer { try? FileManager.default.removeItem(at: f32) }
            try GGUFFile(path: modelPath).writeFullPrecisionCopy(to: f32.path, as: .f32)
            let out = try Subprocess.run(py, [root + "/scripts/peers/llamacpp_forward.py", f32.path,
                                              "--tokens", tmp.path, "--reps", String(reps), "--threads", threads])
            rows.append(try peerRow(out, suffix: "(f32, all logits)"))
        } else {
            printStderr("bench: llama.cpp peer skipped: no llama_cpp in \(py) (PTQLAB_PEER_LLAMACPP=1 scripts/setup-peers.sh)")
        }
        return rows
    }

    var threads: String { String(ProcessInfo.processInfo.activeProcessorCount) }

    func peerRow(_ out: String, suffix: String) throws -> BenchRow {
        guard let line = out.split(separator: "\n").last,
              let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let tps = obj["tokens_per_second"] as? Double else {
            throw ValidationError("peer printed no result:\n\(out)")
        }
        return BenchRow(name: "\(obj["peer"] as? String ?? "peer") \(suffix)", tokensPerSecond: tps)
    }
}

struct BenchRow: Encodable {
    var name: String
    var tokensPerSecond: Double
    enum CodingKeys: String, CodingKey { case name; case tokensPerSecond = "tokens_per_second" }
}

struct BenchReport: Encodable {
    var model: String
    var context: Int
    var windows: Int
    var rows: [BenchRow]

    func json() throws -> String {
        let enc = JSONEncoder(); enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try enc.encode(self), as: UTF8.self)
    }

    func table() -> String {
        let base = rows.first?.tokensPerSecond ?? 1
        let width = max(40, rows.map(\.name.count).max() ?? 0)
        func pad(_ s: String) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }
        var lines = ["forward throughput, \(windows) windows × \(context) tokens, \(model)",
                     pad("name") + "    tokens/s   this / ptqlab (batch 1)"]
        for r in rows {
            lines.append(pad(r.name) + String(format: " %11.1f %10.2f×", r.tokensPerSecond, r.tokensPerSecond / base))
        }
        return lines.joined(separator: "\n")
    }
}
