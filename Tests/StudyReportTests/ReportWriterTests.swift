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
        for bad in ["src=\"http", "href=\"http", "src='http", "href='http", "<script src", "<link", "@import", "url(http", "fetch(", "xmlhttprequest"] {
            #expect(!lower.contains(bad), "found \(bad)")
        }
        // One inline script: sorting a table by a clicked header.
        #expect(Self.occurrences("<script>", in: html) == 1 && html.contains("table.sortable"))
        #expect(Self.occurrences("<table class=\"sortable\">", in: html) == Self.occurrences("<table", in: html))
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
        #expect(md.contains("| spec | method | seed | eff. bits | GPTQ bits | GGUF | model MiB | PPL books | PPL news | PPL wiki | mean PPL | ΔPPL | rel. ΔPPL | Δ vs base (95% CI) | class | KL | top-1 | zero-shot mean | flags |"))
        #expect(md.contains("| w4a16-g128-asym | rtn |   | 4.271 | – | – | – | 37.673 | 37.955 | 30.395 | 35.341 | +8.104 | +29.8% | – | Class-3 | 0.3895 | 65.5% | – |   |"))
        #expect(md.contains("| w8a16-row-asym | rtn |   | 8.047 | – | – | – | – | – | – | 27.256 | +0.019 | +0.1% | – | Class-1 | – | – | – | Pareto (bits, bytes) |"))
        // Legacy rows have no per-window values: every verdict says so instead of counting point estimates.
        #expect(md.contains("→ inconclusive (0 wins, 0 losses, 0 within noise, 3 without per-window values over 3 pairs"))
        #expect(md.contains("| ≤ 3-bit weights | w3a16-g128-asym gptq+lorc8 | 3.479 |"))
        #expect(md.contains("| ≤ 8-bit weights | w8a16-row-asym rtn | 8.047 |"))
        #expect(md.contains("No row lies on the base model's storage grid."))
        #expect(md.contains("## How rows are compared") && md.contains(Verdict.rule.prefix(60)))
        #expect(md.contains("### Sensitivity") && md.contains("| rtn | 7 | w8a16-row-asym (8.047 bits, ΔPPL +0.019) | w8a16-row-asym (8.047 bits, ΔPPL +0.019) |"))
    }

    @Test func gridAlignedRowsAreFlaggedInTheReport() throws {
        let md = try Self.writer().markdown()
        // Results table, recommendations (≤ 5 and ≤ 8) of the tiny model.
        #expect(Self.occurrences("† optimistic: lies on the base model's storage grid", in: md) >= 4)
        #expect(md.contains("† grid-aligned row"))
    }

    @Test func summaryHasVerdictsAndRecommendations() throws {
        let s = StudyReportWriter(records: try StudyFixtures.real(), title: "quick").summary()
        #expect(s.contains("smollm2-135m, plan unknown (17 rows, base PPL 27.237 at 32.000 bits)"))
        #expect(s.contains("fine-grained GPTQ/ZQ vs RTN: inconclusive (0 wins, 0 losses, 0 within noise, 3 without per-window values over 3 pairs"))
        #expect(s.contains("≤ 3-bit weights: w3a16-g128-asym gptq+lorc8 (3.479 bits), PPL 54.946, ΔPPL +27.709 (+101.7%), Class-3"))
        // An 8-bit budget admits W8 per-row at 8.047 effective bits.
        #expect(s.contains("≤ 8-bit weights: w8a16-row-asym rtn (8.047 bits), PPL 27.256, ΔPPL +0.019 (+0.1%), Class-1"))
    }

    @Test func gridAlignedRecommendationsAndPairsAreNoted() throws {
        let tiny = ModelAnalysis(model: StudyFixtures.tiny, records: try StudyFixtures.synthetic().filter { $0.model == StudyFixtures.tiny })
        let notes = GridAlignmentNotes.lines(tiny)
        #expect(notes.filter { $0.contains("optimistic, lies on the base model's storage grid") }.count == 2)
        #expect(notes.contains { $0.hasPrefix("The ≤ 4-bit weights recommendation (w4a16-g32-asym rtn) is grid-aligned") })
        #expect(notes.contains { $0.hasPrefix("Evidence pair w4a16-g32-asym") })
    }

    @Test func analysisJSONHasVerdictsWithIntervals() throws {
        let w = StudyReportWriter(records: VerdictTests.clearRows(), title: "rules")
        let object = try JSONSerialization.jsonObject(with: Data(try w.analysisJSON().utf8)) as! [String: Any]
        let analyses = try #require(object["analyses"] as? [[String: Any]])
        #expect(analyses.count == 1 && analyses[0]["plan_id"] as? String == "planA")
        let verdicts = try #require(analyses[0]["verdicts"] as? [[String: Any]])
        #expect(verdicts.count == 3)
        let first = verdicts[0]
        #expect(first["status"] as? String == "holds")
        let ci = try #require(first["ci95"] as? [Double])
        let effect = try #require(first["effect"] as? Double)
        #expect(ci.count == 2 && ci[0] < effect && effect < ci[1] && ci[1] < 0)
        let pairs = try #require(first["pairs"] as? [[String: Any]])
        #expect(pairs.count == 2 && pairs.allSatisfy { ($0["outcome"] as? String) == "win" })
        #expect(Set(verdicts.compactMap { $0["status"] as? String }).isSubset(of: ["holds", "does not hold", "inconclusive"]))
        #expect(analyses[0]["recommendations"] is [[String: Any]] && analyses[0]["sensitivity"] is [[String: Any]])
        #expect((analyses[0]["frontier"] as? [String: Any])?["bits"] is [String])
        let d = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: d) }
        _ = try w.write(to: d)
        #expect(FileManager.default.fileExists(atPath: d.appendingPathComponent("analysis.json").path))
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
