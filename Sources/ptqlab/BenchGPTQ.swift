import ArgumentParser
import Calibration
import Evaluation
import Experiment
import Foundation
import Models
import Quantization
import TensorCore

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
        // The peer's script and Python (not needed with --no-peers).
        var peerCommand: (python: String, script: String)? = nil
        if !noPeers {
            guard let root = RepositoryFiles.root() else {
                throw ValidationError("--gptq needs the peer script: scripts/peers not found (run from the PTQLab checkout; --no-peers times PTQLab alone)")
            }
            let py = python ?? root + "/.venv-peers/bin/python"
            guard FileManager.default.isExecutableFile(atPath: py) else {
                throw ValidationError("--gptq needs a Python with torch + transformers: no \(py) (run scripts/setup-peers.sh or pass --python; --no-peers times PTQLab alone)")
            }
            peerCommand = (py, root + "/scripts/peers/torch_gptq.py")
        }

        // The recipe `eval --quant SPEC --method gptq --calib wiki --seed 0` runs, through the same pipeline.
        let session = try ModelSession(name: modelPath, assets: assets, reusable: true)
        let loaded = session.loaded
        // True-sequential (each input group calibrated on the quantized groups before it) on both
        // sides unless --no-true-sequential: the reference probes the layer once per group, PTQLab
        // quantizes each group as its input appears in one block run; the same Hessians either way.
        let trueSequential = !noTrueSequential
        let recipe = QuantRecipe(spec: spec.description, method: "gptq", actOrder: actOrder,
                                 calibration: CalibrationSettings(corpus: "wiki", samples: calibSamples, length: calibLength, seed: 0,
                                                                  trueSequential: trueSequential))
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

        var report = GPTQBenchReport(
            model: modelPath, spec: spec.description, actOrder: actOrder, trueSequential: trueSequential, blocks: loaded.model.blockCount,
            calibration: "wiki calibration part, \(calibSamples) × \(calibLength) tokens, seed 0",
            sameLayers: nil, checkWindows: checkCount, fullPrecisionPerplexity: fullPrecision,
            ours: ours, peer: nil, ratio: nil)
        guard let peerCommand else { return report }

        // The peer, on the same windows.
        let tmp = FileManager.default.temporaryDirectory
        let calibFile = tmp.appendingPathComponent("ptqlab-gptq-bench-\(getpid())-calib.json")
        let checkFile = tmp.appendingPathComponent("ptqlab-gptq-bench-\(getpid())-check.json")
        defer {
            try? FileManager.default.removeItem(at: calibFile)
            try? FileManager.default.removeItem(at: checkFile)
        }
        try JSONEncoder().encode(calibration.windows).write(to: calibFile)
        var arguments = [peerCommand.script, modelPath, "--calib", calibFile.path,
                         "--bits", String(scheme.bits), "--group", String(group), "--threads", threads]
        if scheme.symmetric { arguments += ["--sym", "--grid", scheme.symmetricGrid.rawValue] }
        if actOrder { arguments.append("--act-order") }
        if trueSequential { arguments.append("--true-sequential") }
        if checkCount > 0 {
            let windows = (0..<checkCount).map { Array(check[($0 * calibLength)..<(($0 + 1) * calibLength)]) }
            try JSONEncoder().encode(windows).write(to: checkFile)
            arguments += ["--eval", checkFile.path]
        }
        var peerRuns: [PeerGPTQResult] = []
        for rep in 0..<reps {
            if format == "text" { printStderr("bench: PyTorch GPTQ peer, run \(rep + 1)/\(reps) …") }
            let out = try Subprocess.run(peerCommand.python, arguments)
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

        report.peer = peer
        report.sameLayers = Set(summary.layers.map(\.name)) == Set(best.layerNames)
        report.ratio = peer.seconds / max(ours.seconds, 1e-9)
        return report
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
    var trueSequential: Bool
    var blocks: Int
    var calibration: String
    var sameLayers: Bool?
    var checkWindows: Int
    var fullPrecisionPerplexity: Double?
    var ours: Side
    var peer: Side?
    /// Peer seconds / ours.
    var ratio: Double?
    var cpu = CPUFeatures.summary
    var gemm = LinearBackend.automatic.label

    enum CodingKeys: String, CodingKey {
        case model, spec, blocks, calibration, ours, peer, ratio, cpu, gemm
        case actOrder = "act_order", sameLayers = "same_layers", checkWindows = "check_windows"
        case trueSequential = "true_sequential"
        case fullPrecisionPerplexity = "full_precision_perplexity"
    }

    func json() throws -> String {
        let enc = JSONEncoder(); enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try enc.encode(self), as: UTF8.self)
    }

    func table() -> String {
        let name = { (s: Side) in "\(s.name) (\(s.threads) threads)" }
        let width = max(30, name(ours).count, peer.map { name($0).count } ?? 0)
        func pad(_ s: String) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }
        func ppl(_ x: Double?) -> String { x.map { String(format: "%10.3f", $0) } ?? "         -" }
        var lines = [
            "GPTQ \(spec)\(actOrder ? " act-order" : "")\(trueSequential ? " true-sequential" : " one probe per block"), whole model: \(blocks) blocks, \(model)",
            "calibration: \(calibration); times exclude model loading, best of \(ours.runs.count)",
            "CPU: \(cpu); PTQLab GEMM: \(gemm)",
            pad("") + "   seconds  forward+H     solves  layers  loss/token  ppl(\(checkWindows) wiki)",
        ]
        for s in [ours] + (peer.map { [$0] } ?? []) {
            lines.append(pad(name(s)) + String(format: " %9.1f %10.1f %10.1f %7d %11.2f", s.seconds, s.forwardSeconds,
                                                  s.gptqSeconds, s.layers, s.lossPerToken) + " " + ppl(s.perplexity))
        }
        if let ratio { lines.append(String(format: "ratio (PyTorch / PTQLab): %.2f×", ratio)) }
        lines.append("runs: ptqlab " + ours.runs.map { String(format: "%.1f", $0) }.joined(separator: ", ") + " s"
                     + (peer.map { p in "; peer " + p.runs.map { String(format: "%.1f", $0) }.joined(separator: ", ") + " s"
                         + (p.loadSeconds.map { String(format: " (its model loading: %.1f s, not counted)", $0) } ?? "") } ?? "; no peer (--no-peers)"))
        lines.append((sameLayers.map { "same quantized layers on both sides: \($0 ? "yes" : "NO") " } ?? "quantized layers: ")
                     + "(\(ours.layers) = \(ours.layers / max(blocks, 1)) per block × \(blocks))"
                     + (fullPrecisionPerplexity.map { String(format: "; full-precision ppl %.3f", $0) } ?? ""))
        return lines.joined(separator: "\n")
    }
}
