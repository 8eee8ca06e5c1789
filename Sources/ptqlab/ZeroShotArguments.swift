import ArgumentParser
import Evaluation
import Foundation

/// `eval`'s zero-shot options, and the split of `--tasks` into perplexity corpora and zero-shot
/// tasks (a name is a zero-shot task when `ZeroShotTasks.isZeroShotTask` says so).
struct ZeroShotArguments: ParsableArguments {
    @Option(parsing: .unconditional, help: "Zero-shot tasks: evaluate a stable subset of N documents per task (the same N documents every run; see --subset-seed). The output says it is a subset.")
    var limit: Int?

    @Option(parsing: .unconditional, help: "Zero-shot tasks: seed of the --limit subset.")
    var subsetSeed: UInt64 = 0

    @Flag(help: "Zero-shot tasks: also score the unconditional requests (context \"Answer:\") and report acc_uncond = argmax(score − unconditional score).")
    var calibrated = false

    @Option(parsing: .unconditional, help: "Zero-shot tasks: tokens per forward pass.")
    var zeroShotBatchTokens: Int = 2048

    @Flag(help: "Zero-shot tasks: run every choice as a full sequence instead of sharing its context with the other choices (slower; for checking).")
    var noPrefixSharing = false

    /// (perplexity corpora, zero-shot tasks) in the order given; an unknown name lists both kinds.
    static func partition(_ names: [String]) throws -> (corpora: [String], zeroShot: [String]) {
        var corpora: [String] = [], zeroShot: [String] = []
        for name in names where !name.isEmpty {
            if Corpora.builtInNames.contains(name) || (name.hasPrefix("kl:") && Corpora.builtInNames.contains(String(name.dropFirst(3)))) {
                corpora.append(name)   // kl:NAME — the corpus, with KL against the base model
            } else if ZeroShotTasks.isZeroShotTask(name) {
                zeroShot.append(name)
            } else {
                throw ValidationError("unknown task '\(name)': perplexity corpora are \(Corpora.builtInNames.joined(separator: ", ")) (kl:NAME adds KL divergence) "
                                      + "(or --text FILE); zero-shot tasks are \(ZeroShotTasks.usage)")
            }
        }
        return (corpora, zeroShot)
    }

    /// Checks the options against the tasks asked for.
    func validate(zeroShotTasks names: [String]) throws {
        if names.isEmpty && (limit != nil || calibrated) {
            throw ValidationError("--limit and --calibrated apply to zero-shot tasks; none is in --tasks")
        }
        if let limit, limit <= 0 { throw ValidationError("--limit must be positive, got \(limit)") }
        guard zeroShotBatchTokens > 0 else { throw ValidationError("--zero-shot-batch-tokens must be positive") }
    }
}
