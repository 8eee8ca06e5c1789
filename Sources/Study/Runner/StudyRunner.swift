import Calibration
import Evaluation
import Experiment
import Foundation
import Models
import Quantization

/// Runs a study's experiments into a results database, in an order that reuses work: each model
/// is loaded once (its weights restored between experiments), its corpora tokenized once, each
/// calibration set built once, and the base model's evaluation is its own experiment, run once.
/// Experiments whose id is already in the database are skipped, so a killed run resumes. Before
/// each experiment the runner claims it in the database (`ResultsStore.claim`): several runners
/// (processes) on one database split the grid, and each experiment runs once.
public final class StudyRunner {
    public struct Summary: Sendable {
        /// Experiments this runner ran and recorded.
        public var ran = 0
        /// Already in the database when the run started.
        public var skipped = 0
        /// Finished by another runner while this one was running.
        public var doneElsewhere = 0
        /// Being run by another runner (a live lease) when this one came to them.
        public var runningElsewhere: [String] = []
        public var failed: [(label: String, error: String)] = []
        public var seconds = 0.0
    }

    let study: String
    let store: ResultsStore
    let assets: AssetLocator
    let showProgress: Bool
    let leases: LeasePolicy
    /// This runner's identity in the lease table.
    public let owner: LeaseOwner
    /// Where sessions keep the base model's logits for KL (shared with other shards using the
    /// same directory); nil: each session's own temporary directory.
    let cacheDirectory: String?

    public init(study: String, store: ResultsStore, assets: AssetLocator = AssetLocator(), showProgress: Bool = true,
                leases: LeasePolicy = LeasePolicy(), owner: LeaseOwner = .current(), cacheDirectory: String? = nil) {
        self.cacheDirectory = cacheDirectory
        self.study = study
        self.store = store
        self.assets = assets
        self.showProgress = showProgress
        self.leases = leases
        self.owner = owner
    }

    /// Runs `experiments` (a study grid or one shard of it) and returns what happened.
    /// `estimate` gives each experiment's expected seconds for the ETA. An experiment that fails
    /// is reported and the rest run; a database that cannot be written stops the run (the error
    /// names it).
    public func run(_ experiments: [ExperimentConfig], estimate: (ExperimentConfig) -> Double) throws -> Summary {
        let start = Date()
        var summary = Summary()
        let done = try store.finishedIDs()
        let pending = experiments.filter { !done.contains($0.id) }
        summary.skipped = experiments.count - pending.count
        if summary.skipped > 0 {
            log("study \(study): \(summary.skipped) of \(experiments.count) experiments already in \(store.path), skipped")
        }
        var estimatedDone = 0.0, actualDone = 0.0
        var estimatedTotal = pending.reduce(0) { $0 + estimate($1) }
        var session: ModelSession? = nil
        for (k, experiment) in pending.enumerated() {
            // Re-checked before each experiment: another process may have finished or claimed it.
            switch try store.claim(experiment.id, owner: owner, policy: leases) {
            case .finished:
                summary.doneElsewhere += 1
                estimatedTotal -= estimate(experiment)
                continue
            case .heldBy(let other):
                summary.runningElsewhere.append(experiment.label)
                estimatedTotal -= estimate(experiment)
                log("study \(study): \(experiment.label) is being run by another process (\(other)), skipped")
                continue
            case .claimed:
                break
            }
            let remaining = estimatedTotal - estimatedDone
            let pace = estimatedDone > 0 ? actualDone / estimatedDone : 1
            let position = k + 1 + summary.skipped
            log(String(format: "study %@ %@ %d/%d  %@  elapsed %@  ETA %@", study, Self.bar(position - 1, of: experiments.count),
                       position, experiments.count, experiment.label, ProgressLine.clock(Date().timeIntervalSince(start)),
                       ProgressLine.clock(remaining * pace)))
            let began = Date()
            let heartbeat = LeaseHeartbeat(store: store, id: experiment.id, owner: owner, interval: leases.heartbeatInterval)
            let record: ExperimentRecord
            do {
                if session?.name != experiment.model {
                    session = nil   // free the previous model before loading the next
                    session = try ModelSession(name: experiment.model, assets: assets, reusable: true,
                                               cacheDirectory: cacheDirectory)
                }
                record = try runOne(experiment, session: session!)
            } catch {
                heartbeat.stop()
                summary.failed.append((experiment.label, "\(error)"))
                log("study \(study): \(experiment.label) failed: \(error)")
                try store.release(experiment.id, owner: owner)
                estimatedDone += estimate(experiment)
                actualDone += Date().timeIntervalSince(began)
                continue
            }
            heartbeat.stop()
            do {
                if try store.finish(record, owner: owner) {
                    summary.ran += 1
                } else {
                    summary.doneElsewhere += 1   // its lease went stale and another runner recorded it first
                }
            } catch {
                try? store.release(experiment.id, owner: owner)
                throw error
            }
            estimatedDone += estimate(experiment)
            actualDone += Date().timeIntervalSince(began)
        }
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }

    func runOne(_ experiment: ExperimentConfig, session: ModelSession) throws -> ExperimentRecord {
        let pipeline = ExperimentPipeline(session: session, options: RunOptions(showProgress: showProgress))
        let result = try pipeline.run(recipe: experiment.recipe, plan: experiment.evaluation)
        return try makeRecord(experiment, session: session, result: result)
    }

    /// The row of a finished experiment. The base row (no quantization) reports the block linears
    /// as its source stores them (bits, bytes) and the source file's size.
    func makeRecord(_ experiment: ExperimentConfig, session: ModelSession, result: ExperimentResult) throws -> ExperimentRecord {
        let metrics = result.metrics
        let spec = try experiment.recipe?.parsedSpec()
        let quant = metrics.quantization
        let storage = try session.sourceStorage()
        let zeroShot = metrics.zeroShot.compactMapValues { task -> TaskScore? in
            guard let acc = task.metrics.first(where: { $0.name == "acc" }) else { return nil }
            let norm = task.metrics.first { $0.name == "acc_norm" }
            return TaskScore(acc: acc.value, accStderr: acc.stderr ?? 0, accNorm: norm?.value, accNormStderr: norm?.stderr,
                             n: task.documents)
        }
        var granularity: Int? = nil
        if let spec, spec.weight.isQuantized {   // w16 weights have neither granularity nor symmetry
            switch spec.weight.granularity {
            case .perRow: granularity = nil
            case .perTensor: granularity = 0
            case .group(let k): granularity = k
            }
        }
        let recipe = experiment.recipe
        let kl = metrics.klSummary
        var record = ExperimentRecord(
            id: experiment.id, study: study, model: experiment.model, architecture: session.loaded.model.architecture,
            method: recipe?.method ?? "base", spec: recipe?.spec, weightBits: recipe.map(Self.widestWeightBits) ?? spec?.weight.bits,
            groupSize: granularity,
            symmetric: spec.flatMap { $0.weight.isQuantized ? $0.weight.symmetric : nil }, activationBits: spec?.activation.bits ?? 16, lorcRank: recipe?.lorcRank,
            actOrder: recipe?.actOrder ?? false, seed: recipe?.calibration?.seed,
            effectiveBits: quant?.effectiveBits ?? storage.blockLinearBits, bytes: quant?.bytes ?? storage.blockLinearBytes,
            gridAligned: quant?.gridAligned ?? false, perplexity: metrics.perplexity.mapValues(\.perplexity),
            meanPerplexity: metrics.meanPerplexity, zeroShot: zeroShot, klDivergence: kl?.mean, top1Agreement: kl?.top1Agreement,
            quantizeSeconds: result.quantizeSeconds, evaluateSeconds: result.evaluateSeconds,
            configJSON: experiment.canonicalJSON, metricsJSON: ResultsStore.jsonText(metrics),
            machine: MachineInfo.describe(), programVersion: MachineInfo.programVersion, finishedAt: MachineInfo.timestamp())
        record.gridFit = quant?.gridFit
        record.gptqBits = quant?.storedBits?.gptq
        record.ggufBits = quant?.storedBits?.gguf
        record.ggufType = quant?.storedBits?.ggufType
        record.modelBytes = quant?.modelBytes ?? storage.bytes
        record.parameters = storage.parameters
        let notes = quant?.diagnostics.notes ?? []
        record.diagnostics = notes.isEmpty ? nil : notes.joined(separator: "; ")
        return record
    }

    func log(_ line: String) {
        guard showProgress else { return }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// `[########············]`: finished experiments of the total, 20 cells.
    static func bar(_ done: Int, of total: Int, width: Int = 20) -> String {
        let filled = total > 0 ? min(width, done * width / total) : 0
        return "[" + String(repeating: "#", count: filled) + String(repeating: "·", count: width - filled) + "]"
    }
}

extension StudyRunner {
    /// The widest weights a recipe stores in its block linears: the spec's bits, or an override's
    /// when wider (16 for a layer left in full precision), so a mixed recipe never fits a
    /// weight-bits budget its widest layers exceed.
    static func widestWeightBits(_ recipe: QuantRecipe) -> Int? {
        let specs = [recipe.spec] + (recipe.overrides ?? []).map(\.spec)
        return specs.compactMap { try? QuantSpec.parse($0).weight.bits }.max()
    }
}
