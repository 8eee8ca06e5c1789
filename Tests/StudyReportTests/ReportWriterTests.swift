import Foundation
import Study
import Testing
@testable import StudyReport

@Suite struct ReportWriterTests {
    static func writer() throws -> StudyReportWriter {
        StudyReportWriter(records: try StudyFixtures.real() + StudyFixtures.synthetic(), title: "SmolLM2 PTQ study <fixture>")
    }

    static func occurrences(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    static func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("ptqlab-report-test-\(UUID().uuidString)", isDirectory: true)
    }

    @Test func htmlIsSelfContained() throws {
        let html = try Self.writer().html()
        let lower = html.lowercased()
        for bad in ["src=\"http", "href=\"http", "src='http", "href='http", "<script", "<link", "@import", "url(http"] {
            #expect(!lower.contains(bad), "found \(bad)")
        }
        #expect(lower.contains("<style>"))
        #expect(Self.occurrences("<svg ", in: html) == 8)
        #expect(Self.occurrences("</svg>", in: html) == 8)
    }

    @Test func textIsEscapedInEveryOutput() throws {
        let w = try Self.writer()
        let html = w.html(), md = w.markdown()
        #expect(!html.contains("tiny-llama <&> test") && !md.contains("tiny-llama <&> test"))
        #expect(html.contains("Model: tiny-llama &lt;&amp;&gt; test"))
        #expect(md.contains("## Model: tiny-llama &lt;&amp;&gt; test"))
        #expect(html.contains("<title>SmolLM2 PTQ study &lt;fixture&gt;</title>"))
    }

    @Test func writesDeterministicFiles() throws {
        let w = try Self.writer()
        let d1 = Self.temporaryDirectory(), d2 = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: d1); try? FileManager.default.removeItem(at: d2) }
        let a = try w.write(to: d1), b = try Self.writer().write(to: d2)
        #expect(try Data(contentsOf: a.markdown) == Data(contentsOf: b.markdown))
        #expect(try Data(contentsOf: a.html) == Data(contentsOf: b.html))
        let charts1 = try FileManager.default.contentsOfDirectory(atPath: d1.appendingPathComponent("charts").path).sorted()
        #expect(charts1.count == 8)
        for name in charts1 {
            let c1 = try Data(contentsOf: d1.appendingPathComponent("charts/\(name)"))
            #expect(c1 == (try Data(contentsOf: d2.appendingPathComponent("charts/\(name)"))))
        }
        // Record order does not matter.
        let shuffled = StudyReportWriter(records: (try StudyFixtures.real() + StudyFixtures.synthetic()).reversed(),
                                         title: "SmolLM2 PTQ study <fixture>")
        #expect(shuffled.html() == w.html())
        // Every chart the Markdown links to was written.
        let md = try String(contentsOf: a.markdown, encoding: .utf8)
        #expect(Self.occurrences("](charts/", in: md) == 8)
        for name in charts1 { #expect(md.contains("](charts/\(name))")) }
    }

    @Test func markdownHasTablesVerdictsAndRecommendations() throws {
        let md = StudyReportWriter(records: try StudyFixtures.real(), title: "real").markdown()
        #expect(md.contains("| spec | method | eff. bits | MiB | PPL books | PPL news | PPL wiki | mean PPL | ΔPPL | rel. ΔPPL | class | KL | top-1 | zero-shot mean | flags |"))
        #expect(md.contains("| w4a16-g128-asym | rtn | 4.271 | 54.1 | 37.673 | 37.955 | 30.395 | 35.341 | +8.104 | +29.8% | Class-3 | 0.3895 | 65.5% | – |   |"))
        #expect(md.contains("| w8a16-row-asym | rtn | 8.047 | 101.8 | – | – | – | 27.256 | +0.019 | +0.1% | Class-1 | – | – | – | Pareto (bits, bytes) |"))
        #expect(md.contains("→ does not hold (1 win / 2 losses over 3 pairs)"))
        #expect(md.contains("→ not enough evidence (no two rows of one method"))
        #expect(md.contains("| ≤ 4 | w3a16-g128-asym gptq+lorc8 | 3.479 |"))
        #expect(md.contains("No row lies on the base model's storage grid."))
    }

    @Test func gridAlignedRowsAreFlaggedInTheReport() throws {
        let md = try Self.writer().markdown()
        // Results table, recommendations (≤ 5 and ≤ 8) of the tiny model.
        #expect(Self.occurrences("† optimistic: lies on the base model's storage grid", in: md) >= 4)
        #expect(md.contains("† grid-aligned row"))
    }

    @Test func summaryHasVerdictsAndRecommendations() throws {
        let s = StudyReportWriter(records: try StudyFixtures.real(), title: "quick").summary()
        #expect(s.contains("smollm2-135m (17 rows, base PPL 27.237)"))
        #expect(s.contains("fine-grained GPTQ/ZQ vs RTN: does not hold (1 win / 2 losses over 3 pairs)"))
        #expect(s.contains("fine-grained vs per-row RTN: holds (2 wins / 0 losses over 2 pairs)"))
        #expect(s.contains("≤ 4 bits: w3a16-g128-asym gptq+lorc8 (3.479 bits), PPL 54.946, ΔPPL +27.709 (+101.7%), Class-3"))
        // Every 8-bit row costs more than 8 effective bits (8.023, 8.047): the ≤ 8 budget repeats the ≤ 5 pick.
        #expect(s.contains("≤ 8 bits: w4a16-row-asym gptq+lorc8 (4.255 bits), PPL 33.646, ΔPPL +6.409 (+23.5%), Class-3"))
        #expect(!s.contains("≤ 3 bits"))
    }

    @Test func emptyRecordsSayNoExperiments() throws {
        let w = StudyReportWriter(records: [], title: "empty")
        #expect(w.markdown().contains("No experiments"))
        #expect(w.html().contains("No experiments"))
        #expect(w.summary() == "empty: no experiments.\n")
        let d = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: d) }
        let out = try w.write(to: d)
        #expect(FileManager.default.fileExists(atPath: out.html.path))
    }

    /// Writes the fixture report to `$PTQLAB_REPORT_OUT` (for scripts/report/screenshot.sh); skipped otherwise.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["PTQLAB_REPORT_OUT"] != nil))
    func writeFixtureReportForInspection() throws {
        let path = try #require(ProcessInfo.processInfo.environment["PTQLAB_REPORT_OUT"])
        let out = try Self.writer().write(to: URL(fileURLWithPath: path, isDirectory: true))
        print("report: \(out.markdown.path) \(out.html.path)")
    }
}
