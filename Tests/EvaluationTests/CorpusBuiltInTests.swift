import Foundation
import ModelFormats
import Testing
@testable import Evaluation

/// The three built-in corpora, extracted from the real assets: counts, the split, and pinned
/// extraction (any change to stripping or joining changes a digest here, on purpose). The news and
/// books digests were checked against an independent Python re-implementation (books from lines
/// exported by R itself); `sha256sum` over the part's UTF-8 gives the same values.
@Suite struct CorpusBuiltInTests {
    struct Pinned: Sendable, CustomStringConvertible {
        var name: String
        var documents: Int
        var calibrationDocuments: Int
        var calibrationBytes: Int
        var calibrationSHA256: String
        var evaluationBytes: Int
        var evaluationSHA256: String
        var calibrationSentinels: [String]
        var evaluationSentinels: [String]
        var description: String { name }
    }

    static let pinned: [Pinned] = [
        Pinned(name: "wiki", documents: 106, calibrationDocuments: 26,
               calibrationBytes: 670_499, calibrationSHA256: "e71707341f3969547b52aa92eedaf60cb3c9641f2755af553eb8cd702ebdf5ec",
               evaluationBytes: 2_237_987, evaluationSHA256: "92428ae601ea60612a060672aa83bbe8c68d7fa39e084d54675b38b6dce6cec1",
               calibrationSentinels: ["A\n\nA (named", "is the first letter and the first vowel in the ISO basic Latin alphabet"],
               evaluationSentinels: ["Anarchism\n\nAnarchism is a political philosophy that advocates self-governed societies",
                                     "Algorithm\n\nIn mathematics and computer science, an algorithm is"]),
        Pinned(name: "news", documents: 293, calibrationDocuments: 73,
               calibrationBytes: 81876, calibrationSHA256: "2071bf2fe84ee12d16cd31dab709a24cfde9f8bf7a13d5c99d82be6a1474032d",
               evaluationBytes: 270_544, evaluationSHA256: "52c6dc2bd5611cca69ed4837ec6e23efad50620fb00c73f450d0d51762258199",
               calibrationSentinels: ["Argentina's political and economic crisis has deepened with the resignation",
                                      "A University of Canberra academic's proposal for a republic"],
               evaluationSentinels: ["Hundreds of people have been forced to vacate their homes in the Southern Highlands",
                                     "Australia will take on France in the doubles rubber of the Davis Cup"]),
        Pinned(name: "books", documents: 269, calibrationDocuments: 67,
               calibrationBytes: 1_003_057, calibrationSHA256: "86908212eae3b10eaaf46cc5891c1d4ed41d8477c0e528263d6cad08c2dd7595",
               evaluationBytes: 3_021_413, evaluationSHA256: "edfc98b3b8f8bf8006a90bd1fafda39ec568da935f8593bc4191711993101be0",
               calibrationSentinels: ["CHAPTER 4\n\n\n\"What a pity it is, Elinor,\" said Marianne"],
               evaluationSentinels: ["SENSE AND SENSIBILITY\n\nby Jane Austen\n\n(1811)\n\n\n\n\nCHAPTER 1\n\n\nThe family of Dashwood",
                                     "her £20,000, any one who could satisfy the", "\n\n\nFinis"]),
    ]

    @Test(arguments: pinned) func extractionIsPinned(_ expected: Pinned) throws {
        let corpus = try Corpora.load(expected.name, assets: CorpusFixtures.assets)
        #expect(corpus.name == expected.name)
        #expect(corpus.documentCounts.total == expected.documents)
        #expect(corpus.documentCounts.calibration == expected.calibrationDocuments)
        #expect(corpus.calibration.utf8.count == expected.calibrationBytes)
        #expect(SHA256.hex(corpus.calibration) == expected.calibrationSHA256)
        #expect(corpus.evaluation.utf8.count == expected.evaluationBytes)
        #expect(SHA256.hex(corpus.evaluation) == expected.evaluationSHA256)
        // (Boolean results, so that a failure does not print megabytes of corpus.)
        for sentinel in expected.calibrationSentinels {
            let inCalibration = corpus.calibration.containsBytes(of: sentinel), inEvaluation = corpus.evaluation.containsBytes(of: sentinel)
            #expect(inCalibration, "calibration lacks \(sentinel.debugDescription)")
            #expect(!inEvaluation, "evaluation has \(sentinel.debugDescription)")
        }
        for sentinel in expected.evaluationSentinels {
            let inCalibration = corpus.calibration.containsBytes(of: sentinel), inEvaluation = corpus.evaluation.containsBytes(of: sentinel)
            #expect(inEvaluation, "evaluation lacks \(sentinel.debugDescription)")
            #expect(!inCalibration, "calibration has \(sentinel.debugDescription)")
        }
    }

    @Test(arguments: Corpora.builtInNames) func partsPartitionTheDocuments(_ name: String) throws {
        let documents = try CorpusFixtures.documents(name)
        let corpus = Corpora.split(name: name, documents: documents)
        #expect(try Corpora.load(name, assets: CorpusFixtures.assets) == corpus)
        var seen = Set<String>()
        let distinct = documents.filter { seen.insert($0).inserted }
        var calibration: [String] = [], evaluation: [String] = []
        for (index, document) in distinct.enumerated() {
            #expect(!document.isEmpty && document == document.trimmingCharacters(in: .whitespacesAndNewlines))
            if index % 4 == 3 { calibration.append(document) } else { evaluation.append(document) }
        }
        // Together they hold every distinct document, each exactly once, in order.
        #expect(corpus.documentCounts == DocumentCounts(calibration: calibration.count, evaluation: evaluation.count))
        #expect(corpus.documentCounts.total == distinct.count)
        #expect(corpus.calibration == calibration.joined(separator: "\n\n"))
        #expect(corpus.evaluation == evaluation.joined(separator: "\n\n"))
        #expect(Set(calibration).isDisjoint(with: evaluation))
        // And no calibration document is hidden inside the evaluation text (spot check).
        for document in calibration.prefix(8) { #expect(!corpus.evaluation.containsBytes(of: document)) }
    }

    @Test func duplicateDocumentsAreDroppedBeforeSplitting() {
        let corpus = Corpora.split(name: "t", documents: ["a", "b", "a", "c", "d", "c", "e"])
        #expect(corpus.calibration == "d")
        #expect(corpus.evaluation == "a\n\nb\n\nc\n\ne")
        #expect(corpus.documentCounts == DocumentCounts(calibration: 1, evaluation: 4))
    }

    @Test func splitRuleIsEveryFourthDocument() {
        let corpus = Corpora.split(name: "t", documents: (0..<10).map { "d\($0)" })
        #expect(corpus.calibration == "d3\n\nd7")
        #expect(corpus.evaluation == "d0\n\nd1\n\nd2\n\nd4\n\nd5\n\nd6\n\nd8\n\nd9")
        #expect(corpus.documentCounts == DocumentCounts(calibration: 2, evaluation: 8))
        let tiny = Corpora.split(name: "t", documents: ["only"])
        #expect(tiny.calibration.isEmpty && tiny.evaluation == "only")
    }

    @Test func documentCountsMatchTheSources() throws {
        let news = try CorpusFixtures.documents("news")
        #expect(news.count == 300)
        #expect(Set(news).count == 293)  // 7 stories are repeated in the file
        #expect(try CorpusFixtures.documents("wiki").count == 106)  // 206 pages − 100 redirects − 1 outside ns 0
        let books = try CorpusFixtures.documents("books")
        #expect(books.count == 50 + 61 + 48 + 55 + 31 + 24)
        // The front matter joins chapter 1; Emma's later volume headings start their chapter.
        #expect(!books.contains { $0.hasPrefix("CHAPTER 1\n") || $0.hasPrefix("Chapter 1\n") })
        #expect(books.filter { $0.hasPrefix("VOLUME II\n") || $0.hasPrefix("VOLUME III\n") }.count == 2)
        #expect(books.filter { $0.hasPrefix("PRIDE AND PREJUDICE\n") }.count == 1)
    }

    @Test func wikiSkipsRedirectsAndOtherNamespaces() throws {
        let titles = try CorpusFixtures.documents("wiki").map { String($0.prefix { $0 != "\n" }) }
        #expect(titles.first == "Anarchism")
        #expect(!titles.contains("AccessibleComputing"))  // a redirect
        #expect(!titles.contains { $0.hasPrefix("Wikipedia:") })  // namespace 4
        #expect(titles.contains("Algorithm"))
    }

    @Test func wikiTextHasNoMarkupLeft() throws {
        let text = try CorpusFixtures.documents("wiki").joined(separator: "\n\n")
        for markup in ["{{", "}}", "[[", "]]", "<ref", "</ref", "&nbsp;", "&amp;", "{|", "|}", "'''", "<!--",
                       "thumb|", "Category:", "File:", "__TOC__"] {
            #expect(!text.containsBytes(of: markup), "wiki text still contains \(markup)")
        }
        #expect(!text.containsBytes(of: "\n\n\n"))
        #expect(text.containsBytes(of: "\n\nHistory\n\n"))  // headings are lines of their own
    }

    @Test func allCorporaLoadQuickly() throws {
        // CPU time of this thread, not wall time: other tests run in parallel on few cores.
        let start = CorpusFixtures.threadCPUSeconds()
        for name in Corpora.builtInNames { _ = try Corpora.load(name, assets: CorpusFixtures.assets) }
        let seconds = CorpusFixtures.threadCPUSeconds() - start
        #expect(seconds < 2, "loading wiki, news and books took \(seconds) s of CPU")
    }
}
