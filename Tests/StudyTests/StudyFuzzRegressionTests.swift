import Foundation
import Testing
@testable import Study

/// Inputs that crashed or hung the study-file parser (Fixtures/fuzz-regressions/study-yaml; found
/// by fuzzing or reported in issue 12), each now refused with the field at fault, or expanded in bounded time.
@Suite("Study files: fuzz regressions")
struct StudyFuzzRegressionTests {
    static let directory: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/Fixtures/fuzz-regressions/study-yaml"
    }()

    /// The file as the fuzz harness reads it: invalid UTF-8 becomes U+FFFD.
    static func text(_ name: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)), as: UTF8.self)
    }

    /// `bits: "2..9223372036854775807"` built a 2^63-element array (SIGSEGV); `"-9223372036854775808..2"`
    /// overflowed counting it (SIGILL).
    @Test(arguments: ["bits-range-to-int-max.yaml", "bits-range-from-int-min.yaml"])
    func hugeIntegerRangesAreRefused(file: String) throws {
        let text = try Self.text(file)
        let error = #expect(throws: StudyError.self) { try StudyFile.parse(text, source: file) }
        let message = error?.message ?? ""
        #expect(message.hasPrefix("\(file): schemes[0].bits: "), "\(message)")
        #expect(message.contains("has more than \(IntegerAxis.maximumRangeLength) values"), "\(message)")
    }

    @Test func longestIntegerRangeIsKept() throws {
        let last = IntegerAxis.maximumRangeLength - 1
        let axis = try IntegerAxis.IntegerOrRange.parseRange("0..\(last)", codingPath: [])
        #expect(axis.count == IntegerAxis.maximumRangeLength && axis.last == last)
        #expect(throws: DecodingError.self) { try IntegerAxis.IntegerOrRange.parseRange("0..\(last + 1)", codingPath: []) }
        #expect(try IntegerAxis.IntegerOrRange.parseRange("9223372036854775807..9223372036854775806", codingPath: [])
            == [Int.max, Int.max - 1])
    }

    /// `granularity: "g32..g9223372036854775807"`: doubling overflowed before passing the end, so the
    /// loop never ended. The range now stops at the last power that fits.
    @Test func doublingRangeToIntMaxEnds() throws {
        let study = try StudyFile.parse(try Self.text("granularity-doubling-to-int-max.yaml"), source: "g.yaml")
        let values = try #require(study.schemes[0].granularity?.values)
        #expect(values.count == 58)
        #expect(values.first == "g32" && values.last == "g\(1 << 62)")
    }

    /// Yams quotes the lines around a syntax error; with long lines of invalid bytes (U+FFFD, three
    /// bytes each) a message reached 1.3 KB. The quote is now cut to 200 characters.
    @Test(arguments: ["yams-error-quotes-context.yaml", "yams-error-quotes-invalid-bytes.yaml"])
    func yamlErrorsQuoteAShortContext(file: String) throws {
        let text = try Self.text(file)
        let error = #expect(throws: StudyError.self) { try StudyFile.parse(text, source: file) }
        let message = error?.message ?? ""
        #expect(message.hasPrefix("\(file): not valid YAML: "), "\(message)")
        #expect(message.hasSuffix(" bytes)"), "\(message)")
        #expect(message.utf8.count < 1024, "\(message.utf8.count) bytes")
    }

    /// Every committed input parses or fails with a short message naming the file.
    @Test func everyRegressionInputEndsWithABoundedMessage() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory).sorted()
        #expect(!files.isEmpty)
        for file in files {
            do {
                _ = try StudyFile.parse(try Self.text(file), source: file)
            } catch {
                #expect("\(error)".hasPrefix(file + ": "), "\(error)")
                #expect("\(error)".utf8.count < 1024, "\(file): message of \("\(error)".utf8.count) bytes")
            }
        }
    }

    static let fuzzShape = ModelShape(architecture: "llama", minInFeatures: 576, minDimension: 192,
                                      blockWeightStorage: ["Q4_1", "Q8_0"])

    /// A paper-sized grid over four (garbled) model names took over 10 s under the fuzzer's
    /// sanitizers: the rejected list and the scheme list were searched linearly per candidate, and
    /// the run order rebuilt its sort keys at every comparison. Each is now a hash lookup.
    @Test(.timeLimit(.minutes(1))) func paperGridOverFourModelsExpands() throws {
        let file = "study-grid-expansion-timeout.yaml"
        let study = try StudyFile.parse(try Self.text(file), source: file)
        let grid = try StudyGrid.expand(study, source: file, fingerprint: { _ in "0123456789abcdef" }, shape: { _ in Self.fuzzShape })
        #expect(grid.models.count == 4)
        #expect(Set(grid.experiments.map(\.id)).count == grid.experiments.count)
        #expect(grid.experiments.count > 4 * 200, "\(grid.experiments.count) experiments")
    }

    /// The largest grid a study may hold (`maximumExperiments`) expands in bounded time with every
    /// experiment distinct; one more seed is refused before anything is built.
    @Test(.timeLimit(.minutes(1))) func largestAllowedGridExpands() throws {
        // 5 bits × 2 group sizes × 2 methods = 20 recipes per seed, 5,000 seeds.
        let seeds = StudyGrid.maximumExperiments / 20
        let text = """
            name: largest
            models: [m]
            methods: [gptq, zq-local]
            schemes:
              - {bits: "2..6", granularity: [g32, g64]}
            seeds: "0..\(seeds - 1)"
            evaluation: {perplexity: {corpora: [wiki]}}
            """
        let study = try StudyFile.parse(text, source: "largest.yaml")
        let grid = try StudyGrid.expand(study, source: "largest.yaml", fingerprint: { _ in "f" }, shape: { _ in Self.fuzzShape })
        #expect(grid.experiments.count == 1 + StudyGrid.maximumExperiments)
        #expect(Set(grid.experiments.map(\.id)).count == grid.experiments.count)
        let over = text.replacingOccurrences(of: "methods: [gptq, zq-local]", with: "methods: [gptq, zq-local, rtn]")
        let error = #expect(throws: StudyError.self) {
            try StudyGrid.expand(try StudyFile.parse(over, source: "over.yaml"), source: "over.yaml",
                                 fingerprint: { _ in "f" }, shape: { _ in Self.fuzzShape })
        }
        #expect(error?.message.contains("more than \(StudyGrid.maximumExperiments)") == true, "\(String(describing: error))")
    }
}
