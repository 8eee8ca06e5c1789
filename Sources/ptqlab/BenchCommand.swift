import ArgumentParser
import Calibration
import Evaluation
import Experiment
import Foundation
import ModelFormats
import Models
import Quantization
import TensorCore

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Forward-pass throughput (tokens/s), or with --gptq whole-model GPTQ time, or with --zero-shot requests/s, beside peers run on the same machine in the same run.")

    @Argument(help: "GGUF file, Hugging Face model directory, or installed model name: smollm2-135m, qwen2.5-coder-0.5b, gemma3-270m, qwen2.5-coder-1.5b (default: the pinned SmolLM2-135M).")
    var model: String?

    @Option(parsing: .unconditional, help: "Tokens per window.")
    var context: Int = 512

    @Option(parsing: .unconditional, help: "Windows per measurement.")
    var windows: Int = 4

    @Option(parsing: .unconditional, help: "Repetitions; the best is reported (for us and for peers).")
    var reps: Int = 3

    @Option(help: "Python with torch + transformers for the PyTorch peer (default: .venv-peers/bin/python; see scripts/setup-peers.sh).")
    var python: String?

    @Flag(help: "Measure PTQLab only.")
    var noPeers = false

    @Flag(help: "Skip the PyTorch peer (llama.cpp's tools still run).")
    var noTorch = false

    @Option(help: "Folder with llama.cpp's llama-bench and llama-perplexity (default: .peers/llama.cpp/<native|avx2>/bin of the checkout, built by scripts/peers/build-llama-cpp.sh; avx2 when PTQLab runs its AVX2 kernel).")
    var llamaCpp: String?

    @Option(parsing: .unconditional, help: "Threads for the PyTorch peer (default: all cores).")
    var peerThreads: Int?

    @Option(help: ArgumentHelp("Instead of forward throughput: time GPTQ of the whole model with this weight-only spec (e.g. w4a16-row-asym), calibration passes included, beside the reference GPTQ procedure run with PyTorch (scripts/peers/torch_gptq.py).", valueName: "spec"))
    var gptq: String?

    @Flag(help: "With --gptq: act-order, on both sides.")
    var actOrder = false

    @Flag(help: "With --gptq: one probe per block with the unquantized weights on both sides (the reference without --true-sequential) instead of true-sequential calibration (the default on both sides).")
    var noTrueSequential = false

    @Option(parsing: .unconditional, help: "With --gptq: calibration windows (wiki calibration part, seed 0, as eval --method gptq).")
    var calibSamples: Int = 128

    @Option(parsing: .unconditional, help: "With --gptq: tokens per calibration window.")
    var calibLength: Int = 512

    @Option(parsing: .unconditional, help: "With --gptq: first wiki held-out windows (of --calib-length tokens) on which both quantized models' perplexity is reported, as a sanity check (0: none).")
    var checkWindows: Int = 4

    @Option(help: ArgumentHelp("Instead of forward throughput: zero-shot requests/s on these multiple-choice tasks (e.g. piqa,hellaswag), beside lm-evaluation-harness's HFLM scoring the same requests (scripts/peers/lmeval_loglikelihood.py).", valueName: "tasks"))
    var zeroShot: String?

    @Option(name: .customLong("limit"), parsing: .unconditional, help: "With --zero-shot: documents per task (a stable subset, seed 0, as eval --limit).")
    var zeroShotLimit: Int = 200

    @Option(parsing: .unconditional, help: "With --zero-shot: HFLM's batch_size (an integer, or auto).")
    var peerBatchSize: String = "8"

    @Option(help: "Output format: text or json.")
    var format: String = "text"

    func run() throws {
        try runReportingErrors {
            let assets = AssetLocator()
            let modelPath = try assets.model(model)
            if let zeroShot {
                let names = zeroShot.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                guard !names.isEmpty else { throw ValidationError("--zero-shot needs task names, e.g. piqa,hellaswag") }
                let report = try benchZeroShot(tasks: names, modelPath: modelPath, assets: assets)
                print(format == "json" ? try report.json() : report.table())
                return
            }
            if let gptq {
                let report = try benchGPTQ(spec: gptq, modelPath: modelPath, assets: assets)
                print(format == "json" ? try report.json() : report.table())
                return
            }
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
                rows.append(BenchRow(name: "ptqlab (f32, batch \(batch))", tokensPerSecond: tps, peakRSSBytes: Self.peakRSSBytes()))
            }
            // What llama-perplexity computes: logits of each window's scored second half only.
            let half = try measure(loaded.model, input, batch: 1, llamaCppRows: true)
            rows.append(BenchRow(name: "ptqlab (f32, batch 1, logits of the second half)", tokensPerSecond: half,
                                 peakRSSBytes: Self.peakRSSBytes()))
            var ratios: [BenchRatio] = []
            if !noPeers {
                let ours = rows[0...1].map(\.tokensPerSecond).max() ?? 0
                let llama = try llamaCppRows(modelPath: modelPath, text: text)
                rows.append(contentsOf: llama)
                // like for like: llama-perplexity against the same logit rows; llama-bench (last
                // logits only) against PTQLab computing every logit
                if let ppl = llama.first, ppl.tokensPerSecond > 0 {
                    ratios.append(BenchRatio(name: "PTQLab / llama-perplexity (the same logit rows)", value: half / ppl.tokensPerSecond))
                }
                if llama.count > 1, llama[1].tokensPerSecond > 0 {
                    ratios.append(BenchRatio(name: "PTQLab (every logit) / llama-bench pp\(context) (last logits)",
                                             value: ours / llama[1].tokensPerSecond))
                }
                if !noTorch {
                    rows.append(contentsOf: try peers(modelPath: modelPath, input: input, llamaCppMeasured: !llama.isEmpty))
                }
            }
            let report = BenchReport(model: modelPath, context: context, windows: windows, rows: rows, ratios: ratios)
            print(format == "json" ? try report.json() : report.table())
        }
    }

    /// Best tokens/s of forward passes over `input`, `batch` windows per pass. With `llamaCppRows`
    /// only the rows llama-perplexity scores get logits (the second half of each window but its
    /// last token), as that tool computes them.
    func measure(_ model: any CausalLanguageModel, _ input: [[Int32]], batch: Int, llamaCppRows: Bool = false) throws -> Double {
        var best = Double.infinity
        var sink: Float = 0
        for _ in 0...reps {  // first pass is a warm-up
            let start = Date()
            var i = 0
            while i < input.count {
                let chunk = Array(input[i..<min(i + batch, input.count)])
                let t = chunk[0].count
                let scored = [Range<Int>](repeating: llamaCppRows ? t / 2 ..< t - 1 : 0..<t, count: chunk.count)
                try LogitRows.withScored(scored, tokens: t) {
                    try model.forward(windows: chunk, observer: nil) { _, _, logits in sink += logits[0] }
                }
                i += chunk.count
            }
            best = min(best, Date().timeIntervalSince(start))
        }
        if sink.isNaN { printStderr("warning: NaN logits") }
        best = best.isFinite ? best : 0
        return Double(input.count * input[0].count) / max(best, 1e-9)
    }

    /// Peak resident set size of this process so far, in bytes.
    static func peakRSSBytes() -> Int {
        var usage = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Int(usage.ru_maxrss) * 1024   // kilobytes on Linux
        #else
        getrusage(RUSAGE_SELF, &usage)
        return Int(usage.ru_maxrss)          // bytes on macOS
        #endif
    }

    /// llama.cpp's own tools on an f32 copy of the GGUF (the same precision as PTQLab's f32 run):
    /// llama-perplexity over the same number of windows of the same wiki text (the logits of each
    /// window's second half, as its protocol scores; with its peak memory), and llama-bench's prompt processing of one window (last-token logits).
    func llamaCppRows(modelPath: String, text: String) throws -> [BenchRow] {
        guard modelPath.hasSuffix(".gguf") else {
            printStderr("bench: llama.cpp peer skipped: \(modelPath) is not a GGUF file")
            return []
        }
        guard let tools = LlamaCppTools.locate(directory: llamaCpp, root: RepositoryFiles.root()) else {
            printStderr("bench: llama.cpp tools not found (bash scripts/peers/build-llama-cpp.sh, or --llama-cpp DIR)")
            return []
        }
        let tmp = FileManager.default.temporaryDirectory
        let f32 = tmp.appendingPathComponent("ptqlab-bench-\(getpid())-f32.gguf")
        let textFile = tmp.appendingPathComponent("ptqlab-bench-\(getpid())-wiki.txt")
        defer { try? FileManager.default.removeItem(at: f32); try? FileManager.default.removeItem(at: textFile) }
        try GGUFFile(path: modelPath).writeFullPrecisionCopy(to: f32.path, as: .f32)
        try text.write(to: textFile, atomically: true, encoding: .utf8)
        let ppl = try tools.perplexity(model: f32.path, textFile: textFile.path, context: context, windows: windows,
                                       reps: reps, threads: threads)
        let pp = try tools.promptProcessing(model: f32.path, context: context, reps: max(reps, 3), threads: threads)
        return [
            BenchRow(name: "llama.cpp llama-perplexity (\(tools.variant), f32, second-half logits)", tokensPerSecond: ppl.tokensPerSecond,
                     peakRSSBytes: ppl.peakRSSBytes),
            BenchRow(name: "llama.cpp llama-bench pp\(context) (\(tools.variant), f32, last logits)", tokensPerSecond: pp.tokensPerSecond),
        ]
    }

    func peers(modelPath: String, input: [[Int32]], llamaCppMeasured: Bool) throws -> [BenchRow] {
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

        // Without llama.cpp's tools: llama-cpp-python at the same precision, when it is installed.
        if llamaCppMeasured { return rows }
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

    var threads: String { String(peerThreads ?? ProcessInfo.processInfo.activeProcessorCount) }

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
    /// Peak resident memory of the process that ran it, when measured.
    var peakRSSBytes: Int? = nil
    enum CodingKeys: String, CodingKey { case name; case tokensPerSecond = "tokens_per_second"; case peakRSSBytes = "peak_rss_bytes" }
}

struct BenchRatio: Encodable {
    var name: String
    var value: Double
}

struct BenchReport: Encodable {
    var model: String
    var context: Int
    var windows: Int
    var rows: [BenchRow]
    /// PTQLab's best tokens/s over each llama.cpp tool's.
    var ratios: [BenchRatio] = []
    /// The processor (model name and vector extensions) and the GEMM variant PTQLab ran.
    var cpu = CPUFeatures.summary
    var gemm = LinearBackend.automatic.label

    func json() throws -> String {
        let enc = JSONEncoder(); enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try enc.encode(self), as: UTF8.self)
    }

    func table() -> String {
        let base = rows.first?.tokensPerSecond ?? 1
        let width = max(40, rows.map(\.name.count).max() ?? 0)
        func pad(_ s: String) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }
        var lines = ["forward throughput, \(windows) windows × \(context) tokens, \(model)",
                     "CPU: \(cpu); PTQLab GEMM: \(gemm)",
                     pad("name") + "    tokens/s   this / ptqlab (batch 1)   peak RSS"]
        for r in rows {
            lines.append(pad(r.name) + String(format: " %11.1f %10.2f×", r.tokensPerSecond, r.tokensPerSecond / base)
                         + (r.peakRSSBytes.map { String(format: "   %8.0f MB", Double($0) / 1e6) } ?? ""))
        }
        for r in ratios { lines.append(String(format: "%@: %.2f×", r.name, r.value)) }
        return lines.joined(separator: "\n")
    }
}
