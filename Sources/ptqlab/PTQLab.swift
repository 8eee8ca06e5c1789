import ArgumentParser

@main
struct PTQLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ptqlab",
        abstract: "Post-training quantization lab: load LLM checkpoints, evaluate them, compare quantization recipes.",
        subcommands: [StudyCommand.self, ReportCommand.self, MergeCommand.self, EvalCommand.self, QuantizeCommand.self,
                      ExportHFCommand.self, InspectCommand.self, BenchCommand.self, CorpusCommand.self])
}
