import ArgumentParser
import Evaluation
import Experiment
import Foundation
import TensorCore

// MARK: - Zero-shot requests/s (--zero-shot)

extension BenchCommand {
    /// Scores the tasks' requests (a stable `--limit` subset, seed 0, as `eval --tasks … --limit`)
    /// `reps` times with PTQLab's zero-shot evaluator, then hands exactly those (context,
    /// continuation) pairs to lm-evaluation-harness's HFLM (scripts/peers/lmeval_loglikelihood.py)
    /// `reps` times; the best time of each side is compared per task, and the two sides'
    /// loglikelihoods are compared request by request (they are the same computation).
    func benchZeroShot(tasks names: [String], modelPath: String, assets: AssetLocator) throws -> ZeroShotBenchReport {
        guard reps >= 1 else { throw ValidationError("--reps must be at least 1") }
        guard zeroShotLimit >= 1 else { throw ValidationError("--limit must be at least 1") }
        let session = try ModelSession(name: modelPath, assets: assets, reusable: true)
        let evaluator = ZeroShotEvaluator(model: session.loaded.model, tokenizer: session.loaded.tokenizer)
        let options = ZeroShotOptions(limit: zeroShotLimit, subsetSeed: 0)

        var rows: [ZeroShotBenchReport.Task] = []
        var requestFile: [[String: Any]] = []
        for name in names {
            let task = try session.zeroShotTask(name)
            guard task.kind == .multipleChoice else {
                throw ValidationError("--zero-shot: \(name) is not a multiple-choice task (use piqa, hellaswag, arc_easy, …)")
            }
            var times: [Double] = []
            var result: ZeroShotResult? = nil
            for rep in 0..<reps {
                if format == "text" { printStderr("bench: ptqlab \(name), run \(rep + 1)/\(reps) …") }
                let r = try evaluator.evaluate(task, options: options, showProgress: false)
                times.append(r.seconds)
                result = r
            }
            guard let result else { continue }
            let byID = Dictionary(task.documents.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            let documents = result.documentIDs.compactMap { byID[$0] }
            let requests = documents.flatMap { $0.choices.map { [$0.context, $0.continuation] } }
            requestFile.append(["name": name, "requests": requests])
            rows.append(.init(name: name, documents: documents.count, requests: result.requests,
                              ours: .init(seconds: times.min()!, runs: times, accuracy: result.metric("acc")?.value ?? 0),
                              peer: nil, maxLoglikelihoodDifference: nil, sameChoices: nil,
                              ourScores: result.scores, scoredDocuments: documents))
        }

        var peerName: String? = nil, peerThreads: Int? = nil, peerBatch: String? = nil, tokenizerNote: String? = nil
        if !noPeers {
            guard let root = RepositoryFiles.root() else {
                throw ValidationError("--zero-shot needs the peer script: scripts/peers not found (run from the PTQLab checkout)")
            }
            let py = python ?? root + "/.venv-peers/bin/python"
            guard FileManager.default.isExecutableFile(atPath: py) else {
                throw ValidationError("--zero-shot needs a Python with lm-eval + torch + transformers: no \(py) (run scripts/setup-peers.sh or pass --python)")
            }
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("ptqlab-zs-bench-\(getpid()).json")
            defer { try? FileManager.default.removeItem(at: file) }
            try JSONSerialization.data(withJSONObject: ["tasks": requestFile]).write(to: file)
            var arguments = [root + "/scripts/peers/lmeval_loglikelihood.py", modelPath, "--requests", file.path,
                             "--batch-size", peerBatchSize]
            if let peerThreads = self.peerThreads { arguments += ["--threads", String(peerThreads)] }
            tokenizerNote = Self.peerTokenizer(modelPath: modelPath, root: root)
            if let dir = tokenizerNote { arguments += ["--tokenizer", dir] }
            var best: [String: PeerZeroShotResult.Task] = [:], runs: [String: [Double]] = [:]
            for rep in 0..<reps {
                if format == "text" { printStderr("bench: lm-evaluation-harness HFLM, run \(rep + 1)/\(reps) …") }
                let out = try Subprocess.run(py, arguments)
                guard let line = out.split(separator: "\n").last,
                      let peer = try? JSONDecoder().decode(PeerZeroShotResult.self, from: Data(line.utf8)) else {
                    throw ValidationError("lm-eval peer printed no result:\n\(out)")
                }
                peerName = peer.peer; peerThreads = peer.threads; peerBatch = peer.batchSize.description
                for t in peer.tasks {
                    runs[t.name, default: []].append(t.seconds)
                    if best[t.name].map({ t.seconds < $0.seconds }) ?? true { best[t.name] = t }
                }
            }
            for i in rows.indices {
                let ours = rows[i].ourScores
                guard let t = best[rows[i].name], t.loglikelihoods.count == ours.joined().count, t.greedy.count == t.loglikelihoods.count else {
                    throw ValidationError("lm-eval peer returned no or a different number of scores for \(rows[i].name)")
                }
                // The peer's scores in our shape (document → choices); its accuracy through our metric code.
                var peerValues = zip(t.loglikelihoods, t.greedy).makeIterator()
                let peerScores = ours.map { document in
                    document.map { score in
                        let (logprob, greedy) = peerValues.next()!
                        return LoglikelihoodScore(logprob: logprob, greedy: greedy, tokens: score.tokens)
                    }
                }
                rows[i].maxLoglikelihoodDifference = zip(ours.joined(), peerScores.joined()).map { abs($0.logprob - $1.logprob) }.max() ?? 0
                rows[i].sameChoices = zip(ours, peerScores).filter {
                    ZeroShotMetrics.argmax($0.map(\.logprob)) == ZeroShotMetrics.argmax($1.map(\.logprob))
                }.count
                let peerMetrics = ZeroShotMetrics.multipleChoice(documents: rows[i].scoredDocuments, scores: peerScores, primaryMetric: nil)
                rows[i].peer = .init(seconds: t.seconds, runs: runs[t.name] ?? [],
                                     accuracy: peerMetrics.first { $0.name == "acc" }?.value ?? 0)
            }
        }
        return ZeroShotBenchReport(model: modelPath, limit: zeroShotLimit, tasks: rows, peer: peerName,
                                   peerThreads: peerThreads, peerBatchSize: peerBatch,
                                   peerTokenizer: tokenizerNote ?? (noPeers ? nil : "the GGUF's, converted by transformers"),
                                   threads: ProcessInfo.processInfo.activeProcessorCount)
    }

    /// The Hugging Face tokenizer the harness would load for the model: the model directory's own
    /// tokenizer.json, or for the pinned SmolLM2 GGUF its original tokenizer.json (committed under
    /// Fixtures/tokenizers/smollm2). Otherwise nil: the peer converts the GGUF's vocabulary with
    /// transformers, whose pre-tokenizer splits runs of spaces differently from the original.
    static func peerTokenizer(modelPath: String, root: String) -> String? {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: modelPath, isDirectory: &isDirectory), isDirectory.boolValue,
           FileManager.default.fileExists(atPath: modelPath + "/tokenizer.json") {
            return modelPath
        }
        let smollm2 = root + "/Fixtures/tokenizers/smollm2"
        if modelPath.hasSuffix("SmolLM2-135M-Instruct.Q4_1.gguf"), FileManager.default.fileExists(atPath: smollm2 + "/tokenizer.json") {
            return smollm2
        }
        return nil
    }
}

/// The JSON line scripts/peers/lmeval_loglikelihood.py prints.
struct PeerZeroShotResult: Decodable {
    struct Task: Decodable {
        var name: String
        var seconds: Double
        var requests: Int
        var loglikelihoods: [Double]
        var greedy: [Bool]
    }
    enum Batch: Decodable, CustomStringConvertible {
        case number(Int), text(String)
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let n = try? c.decode(Int.self) { self = .number(n) } else { self = .text(try c.decode(String.self)) }
        }
        var description: String { switch self { case .number(let n): String(n); case .text(let s): s } }
    }
    var peer: String
    var threads: Int
    var batchSize: Batch
    var tasks: [Task]
    enum CodingKeys: String, CodingKey {
        case peer, threads, tasks
        case batchSize = "batch_size"
    }
}

struct ZeroShotBenchReport: Encodable {
    struct Side: Encodable {
        /// Best of `runs`: scoring every request of the task (tokenization included).
        var seconds: Double
        var runs: [Double]
        var accuracy: Double
    }
    struct Task: Encodable {
        var name: String
        var documents: Int
        var requests: Int
        var ours: Side
        var peer: Side?
        /// max over requests of |our loglikelihood − the harness's| (nats).
        var maxLoglikelihoodDifference: Double?
        /// Documents where both sides pick the same choice.
        var sameChoices: Int?
        /// Ours per document and choice, and the documents (not in the JSON).
        var ourScores: [[LoglikelihoodScore]]
        var scoredDocuments: [ZeroShotDocument]
        var oursPerSecond: Double { Double(requests) / max(ours.seconds, 1e-9) }
        var peerPerSecond: Double? { peer.map { Double(requests) / max($0.seconds, 1e-9) } }
        /// Our requests/s over the harness's.
        var ratio: Double? { peerPerSecond.map { oursPerSecond / max($0, 1e-9) } }

        enum CodingKeys: String, CodingKey {
            case name, documents, requests, ours, peer, ratio
            case maxLoglikelihoodDifference = "max_loglikelihood_difference", sameChoices = "same_choices"
            case oursPerSecond = "ours_requests_per_second", peerPerSecond = "peer_requests_per_second"
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(documents, forKey: .documents)
            try c.encode(requests, forKey: .requests)
            try c.encode(ours, forKey: .ours)
            try c.encodeIfPresent(peer, forKey: .peer)
            try c.encodeIfPresent(ratio, forKey: .ratio)
            try c.encodeIfPresent(maxLoglikelihoodDifference, forKey: .maxLoglikelihoodDifference)
            try c.encodeIfPresent(sameChoices, forKey: .sameChoices)
            try c.encode(oursPerSecond, forKey: .oursPerSecond)
            try c.encodeIfPresent(peerPerSecond, forKey: .peerPerSecond)
        }
    }
    var model: String
    var limit: Int
    var tasks: [Task]
    var peer: String?
    var peerThreads: Int?
    var peerBatchSize: String?
    var peerTokenizer: String?
    var threads: Int
    var cpu = CPUFeatures.summary
    var gemm = LinearBackend.automatic.label

    enum CodingKeys: String, CodingKey {
        case model, limit, tasks, peer, threads, cpu, gemm
        case peerThreads = "peer_threads", peerBatchSize = "peer_batch_size", peerTokenizer = "peer_tokenizer"
    }

    func json() throws -> String {
        let enc = JSONEncoder(); enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try enc.encode(self), as: UTF8.self)
    }

    func table() -> String {
        var lines = [
            "zero-shot loglikelihood requests, \(model); stable subsets of \(limit) documents (seed 0); best of runs, tokenization included",
            "CPU: \(cpu); PTQLab GEMM: \(gemm), \(threads) threads; peer: \(peer ?? "none")"
                + (peer == nil ? "" : " (\(peerThreads ?? 0) threads, batch size \(peerBatchSize ?? "?"), tokenizer: \(peerTokenizer ?? "?"))"),
            "task        docs  requests   ptqlab req/s   harness req/s   ratio   max |Δ ll|   same choice   acc ptqlab / harness",
        ]
        for t in tasks {
            let peerRate = t.peerPerSecond.map { String(format: "%15.1f", $0) } ?? "              -"
            let ratio = t.ratio.map { String(format: "%6.2f×", $0) } ?? "      -"
            let diff = t.maxLoglikelihoodDifference.map { String(format: "%12.2e", $0) } ?? "           -"
            let same = t.sameChoices.map { String(format: "%8d/%-4d", $0, t.documents) } ?? "            -"
            let acc = String(format: "%.3f", t.ours.accuracy) + (t.peer.map { String(format: " / %.3f", $0.accuracy) } ?? "")
            lines.append(t.name.padding(toLength: 10, withPad: " ", startingAt: 0)
                         + String(format: " %5d %9d %14.1f", t.documents, t.requests, t.oursPerSecond)
                         + " " + peerRate + " " + ratio + " " + diff + "  " + same + "  " + acc)
        }
        return lines.joined(separator: "\n")
    }
}
