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
        abstract: "Forward-pass throughput (tokens/s), or with --gptq whole-model GPTQ time, beside peers run on the same machine in the same run.")

    @Argument(help: "GGUF file, Hugging Face model directory, or installed model name: smollm2-135m, qwen2.5-coder-0.5b, gemma3-270m (default: the pinned SmolLM2-135M).")
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

    @Option(parsing: .unconditional, help: "With --gptq: calibration windows (wiki calibration part, seed 0, as eval --method gptq).")
    var calibSamples: Int = 128

    @Option(parsing: .unconditional, help: "With --gptq: tokens per calibration window.")
    var calibLength: Int = 512

    @Option(parsing: .unconditional, help: "With --gptq: first wiki held-out windows (of --calib-length tokens) on which both quantized models' perplexity is reported, as a sanity check (0: none).")
    var checkWindows: Int = 4

    @Option(help: "Output format: text or json.")
    var format: String = "text"

    func run() throws {
        try runReportingErrors {
            let assets = AssetLocator()
            let modelPath = try assets.model(model)
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

// MARK: - Whole-model GPTQ time (--gptq)

extension BenchCommand {
    /// Times PTQLab's sequential GPTQ (embedding the calibration windows, every block's capture
    /// pass with its Hessians, GPTQ of its 7 linears, the re-run on the quantized block; model
    /// loading excluded) `reps` times on a freshly loaded model, then the PyTorch peer `reps`
    /// times on the same calibration windows and scheme; the best time of each side is compared.
    func benchGPTQ(spec text: String, modelPath: String, assets: AssetLocator) throws -> GPTQBenchReport {
        let spec = try QuantSpec.parse(text)
        let scheme = spec.weight
        guard !spec.activation.isQuantized else {
            throw ValidationError("--gptq takes a weight-only spec (a16): the reference quantizes weights only")
        }
        guard scheme.storage == .f16 else { throw ValidationError("--gptq: the peer stores scales as f16, drop f32scale") }
        let group: Int
        switch scheme.granularity {
        case .perRow: group = -1
        case .group(let k): group = k
        case .perTensor: throw ValidationError("--gptq: per-tensor has no counterpart in the peer; use row or gK")
        }
        guard reps >= 1 else { throw ValidationError("--reps must be at least 1") }
        guard let root = RepositoryFiles.root() else {
            throw ValidationError("--gptq needs the peer script: scripts/peers not found (run from the PTQLab checkout)")
        }
        let py = python ?? root + "/.venv-peers/bin/python"
        guard FileManager.default.isExecutableFile(atPath: py) else {
            throw ValidationError("--gptq needs a Python with torch + transformers: no \(py) (run scripts/setup-peers.sh or pass --python)")
        }

        // The recipe `eval --quant SPEC --method gptq --calib wiki --seed 0` runs, through the same pipeline.
        let session = try ModelSession(name: modelPath, assets: assets, reusable: true)
        let loaded = session.loaded
        // One probe per block, as the peer (the reference's llama.py without --true-sequential).
        let recipe = QuantRecipe(spec: spec.description, method: "gptq", actOrder: actOrder,
                                 calibration: CalibrationSettings(corpus: "wiki", samples: calibSamples, length: calibLength, seed: 0,
                                                                  trueSequential: false))
        let calibration = try session.calibration(recipe.calibration!)
        let heldOut = try session.tokens(input: "wiki")
        let checkCount = min(checkWindows, heldOut.count / calibLength)
        let check = Array(heldOut.prefix(checkCount * calibLength))
        func perplexity(_ model: any CausalLanguageModel) throws -> Double? {
            guard checkCount > 0 else { return nil }
            return try PerplexityEvaluator(model: model)
                .evaluate(tokens: check, options: PerplexityOptions(context: calibLength), showProgress: false).perplexity
        }
        let fullPrecision = try perplexity(loaded.model)
        _ = try session.gridFit(scheme)   // measured once, outside the timed runs

        var oursTimes: [Double] = []
        var summary: QuantizationSummary? = nil
        let pipeline = ExperimentPipeline(session: session, options: RunOptions(showProgress: format == "text"))
        for rep in 0..<reps {
            if format == "text" { printStderr("bench: ptqlab GPTQ, run \(rep + 1)/\(reps) …") }
            let outcome = try pipeline.quantize(recipe)   // restores the base weights first
            summary = outcome.summary
            oursTimes.append(outcome.report.seconds)
        }
        guard let summary else { throw ValidationError("no GPTQ run") }
        let gptqSeconds = summary.layers.reduce(0) { $0 + ($1.stats["seconds"] ?? 0) }
        let ours = GPTQBenchReport.Side(
            name: "ptqlab", seconds: oursTimes.min()!, runs: oursTimes, forwardSeconds: oursTimes.last! - gptqSeconds,
            gptqSeconds: gptqSeconds, layers: summary.layers.count,
            lossPerToken: summary.layers.reduce(0) { $0 + ($1.stats["gptq.loss"] ?? 0) },
            perplexity: try perplexity(loaded.model), threads: ProcessInfo.processInfo.activeProcessorCount, loadSeconds: nil)

        // The peer, on the same windows.
        let tmp = FileManager.default.temporaryDirectory
        let calibFile = tmp.appendingPathComponent("ptqlab-gptq-bench-\(getpid())-calib.json")
        let checkFile = tmp.appendingPathComponent("ptqlab-gptq-bench-\(getpid())-check.json")
        defer {
            try? FileManager.default.removeItem(at: calibFile)
            try? FileManager.default.removeItem(at: checkFile)
        }
        try JSONEncoder().encode(calibration.windows).write(to: calibFile)
        var arguments = [root + "/scripts/peers/torch_gptq.py", modelPath, "--calib", calibFile.path,
                         "--bits", String(scheme.bits), "--group", String(group), "--threads", threads]
        if scheme.symmetric { arguments += ["--sym", "--grid", scheme.symmetricGrid.rawValue] }
        if actOrder { arguments.append("--act-order") }
        if checkCount > 0 {
            let windows = (0..<checkCount).map { Array(check[($0 * calibLength)..<(($0 + 1) * calibLength)]) }
            try JSONEncoder().encode(windows).write(to: checkFile)
            arguments += ["--eval", checkFile.path]
        }
        var peerRuns: [PeerGPTQResult] = []
        for rep in 0..<reps {
            if format == "text" { printStderr("bench: PyTorch GPTQ peer, run \(rep + 1)/\(reps) …") }
            let out = try Subprocess.run(py, arguments)
            guard let line = out.split(separator: "\n").last,
                  let result = try? JSONDecoder().decode(PeerGPTQResult.self, from: Data(line.utf8)) else {
                throw ValidationError("GPTQ peer printed no result:\n\(out)")
            }
            peerRuns.append(result)
        }
        let best = peerRuns.min { $0.seconds < $1.seconds }!
        let peer = GPTQBenchReport.Side(
            name: best.peer, seconds: best.seconds, runs: peerRuns.map(\.seconds), forwardSeconds: best.forwardSeconds,
            gptqSeconds: best.gptqSeconds, layers: best.layers,
            // The reference's H is 2/windows·ΣXᵀX, ours 2/rows·ΣXᵀX: its loss is window length × ours.
            lossPerToken: best.loss / Double(calibLength),
            perplexity: best.perplexity, threads: best.threads, loadSeconds: best.loadSeconds)

        return GPTQBenchReport(
            model: modelPath, spec: spec.description, actOrder: actOrder, blocks: loaded.model.blockCount,
            calibration: "wiki calibration part, \(calibSamples) × \(calibLength) tokens, seed 0",
            sameLayers: Set(summary.layers.map(\.name)) == Set(best.layerNames),
            checkWindows: checkCount, fullPrecisionPerplexity: fullPrecision,
            ours: ours, peer: peer, ratio: peer.seconds / max(ours.seconds, 1e-9))
    }
}

/// The JSON line scripts/peers/torch_gptq.py prints.
struct PeerGPTQResult: Decodable {
    var peer: String
    var seconds: Double
    var layers: Int
    var threads: Int
    var loadSeconds: Double
    var forwardSeconds: Double
    var gptqSeconds: Double
    var loss: Double
    var layerNames: [String]
    var perplexity: Double?
    enum CodingKeys: String, CodingKey {
        case peer, seconds, layers, threads, loss, perplexity
        case loadSeconds = "load_seconds", forwardSeconds = "forward_seconds", gptqSeconds = "gptq_seconds"
        case layerNames = "layer_names"
    }
}

struct GPTQBenchReport: Encodable {
    struct Side: Encodable {
        var name: String
        /// Best of `runs`: calibration forward passes + Hessians + GPTQ of every linear.
        var seconds: Double
        var runs: [Double]
        /// Of the best run (ours: the last): everything but the GPTQ layer solves, and those.
        var forwardSeconds: Double
        var gptqSeconds: Double
        var layers: Int
        /// Σ over layers of the GPTQ loss, PTQLab's normalisation (H averaged over tokens).
        var lossPerToken: Double
        var perplexity: Double?
        var threads: Int
        var loadSeconds: Double?
        enum CodingKeys: String, CodingKey {
            case name, seconds, runs, layers, perplexity, threads
            case forwardSeconds = "forward_seconds", gptqSeconds = "gptq_seconds", lossPerToken = "loss"
            case loadSeconds = "load_seconds"
        }
    }
    var model: String
    var spec: String
    var actOrder: Bool
    var blocks: Int
    var calibration: String
    var sameLayers: Bool
    var checkWindows: Int
    var fullPrecisionPerplexity: Double?
    var ours: Side
    var peer: Side
    /// Peer seconds / ours.
    var ratio: Double
    var cpu = CPUFeatures.summary
    var gemm = LinearBackend.automatic.label

    enum CodingKeys: String, CodingKey {
        case model, spec, blocks, calibration, ours, peer, ratio, cpu, gemm
        case actOrder = "act_order", sameLayers = "same_layers", checkWindows = "check_windows"
        case fullPrecisionPerplexity = "full_precision_perplexity"
    }

    func json() throws -> String {
        let enc = JSONEncoder(); enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try enc.encode(self), as: UTF8.self)
    }

    func table() -> String {
        let name = { (s: Side) in "\(s.name) (\(s.threads) threads)" }
        let width = max(30, name(ours).count, name(peer).count)
        func pad(_ s: String) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }
        func ppl(_ x: Double?) -> String { x.map { String(format: "%10.3f", $0) } ?? "         -" }
        var lines = [
            "GPTQ \(spec)\(actOrder ? " act-order" : ""), whole model: \(blocks) blocks, \(model)",
            "calibration: \(calibration); times exclude model loading, best of \(ours.runs.count)",
            "CPU: \(cpu); PTQLab GEMM: \(gemm)",
            pad("") + "   seconds  forward+H     solves  layers  loss/token  ppl(\(checkWindows) wiki)",
        ]
        for s in [ours, peer] {
            lines.append(pad(name(s)) + String(format: " %9.1f %10.1f %10.1f %7d %11.2f", s.seconds, s.forwardSeconds,
                                                  s.gptqSeconds, s.layers, s.lossPerToken) + " " + ppl(s.perplexity))
        }
        lines.append(String(format: "ratio (PyTorch / PTQLab): %.2f×", ratio))
        lines.append("runs: ptqlab " + ours.runs.map { String(format: "%.1f", $0) }.joined(separator: ", ")
                     + " s; peer " + peer.runs.map { String(format: "%.1f", $0) }.joined(separator: ", ") + " s"
                     + (peer.loadSeconds.map { String(format: " (its model loading: %.1f s, not counted)", $0) } ?? ""))
        lines.append("same quantized layers on both sides: \(sameLayers ? "yes" : "NO") (\(ours.layers) = \(ours.layers / max(blocks, 1)) per block × \(blocks))"
                     + (fullPrecisionPerplexity.map { String(format: "; full-precision ppl %.3f", $0) } ?? ""))
        return lines.joined(separator: "\n")
    }
}
