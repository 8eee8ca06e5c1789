import ArgumentParser
import Evaluation

struct CorpusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus",
        abstract: "Print a built-in corpus' extracted text (the exact text perplexity is measured on).")

    @Argument(help: "wiki, news or books")
    var name: String

    @Option(help: "evaluation (held out) or calibration")
    var part: String = "evaluation"

    func run() throws {
        try runReportingErrors {
            let c = try Corpora.load(name, assets: AssetLocator())
            switch part {
            case "evaluation": print(c.evaluation, terminator: "")
            case "calibration": print(c.calibration, terminator: "")
            default: throw ValidationError("--part must be evaluation or calibration, got '\(part)'")
            }
        }
    }
}
