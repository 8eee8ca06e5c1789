import ArgumentParser
import Foundation
import Study

@main
struct PTQLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ptqlab",
        abstract: "Post-training quantization lab: load LLM checkpoints, evaluate them, compare quantization recipes.",
        version: MachineInfo.programVersion,
        subcommands: [StudyCommand.self, ReportCommand.self, MergeCommand.self, AuditCommand.self, EvalCommand.self, QuantizeCommand.self, RandomModelCommand.self,
                      ExportHFCommand.self, ExportGGUFCommand.self, InspectCommand.self, BenchCommand.self, CorpusCommand.self])

    /// One error contract for every failure: `ptqlab: error: …` on stderr and exit status 1,
    /// whether the arguments were wrong or the work failed (`--help` and `--version` exit 0).
    static func main() {
        let command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exitReporting(error, usage: true)
        }
        do {
            var command = command
            try command.run()
        } catch {
            exitReporting(error, usage: false)
        }
    }

    private static func exitReporting(_ error: Error, usage: Bool) -> Never {
        let code = exitCode(for: error)
        // Help, --version, and errors already reported by `runReportingErrors` (ExitCode).
        if code == .success || error is ExitCode { exit(withError: error) }
        var message = message(for: error).trimmingCharacters(in: .whitespacesAndNewlines)
        if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
        let hint = usage ? " (see ptqlab --help, or ptqlab <command> --help)" : ""
        FileHandle.standardError.write(Data("ptqlab: error: \(message)\(hint)\n".utf8))
        Foundation.exit(1)
    }
}
