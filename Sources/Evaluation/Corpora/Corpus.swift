/// The text corpora PTQLab measures perplexity on and calibrates quantizers with.
///
/// Built-in corpora (each documented in its own file): `wiki` (Wikipedia articles, `WikiCorpus`),
/// `news` (ABC news stories, `NewsCorpus`), `books` (Jane Austen chapters, `BooksCorpus`). Users
/// can also bring any UTF-8 file (`TextFile`).
///
/// Split rule: a corpus is a list of documents in a fixed order. A document identical to an
/// earlier one is dropped first (the news file repeats 7 of its 300 stories; without this a story
/// could land in both parts). Then document i (0-based, among the remaining ones) goes to the
/// calibration part when i % 4 == 3 and to the evaluation part otherwise, i.e. 25% / 75%. Every
/// fourth document rather than a block: calibration then samples the whole corpus (every novel,
/// articles from across the dump) and needs no random generator to stay deterministic. The parts
/// never share a document and together hold all distinct documents. Within a part, documents are
/// joined with "\n\n" in their original order.
public enum Corpora {
    public static let builtInNames = ["wiki", "news", "books"]

    /// A built-in corpus, split into calibration and evaluation parts.
    public static func load(_ name: String, assets: AssetLocator) throws -> CorpusText {
        split(name: name, documents: try documents(name, assets: assets))
    }

    /// A built-in corpus's documents, in order, before the split (duplicates included).
    public static func documents(_ name: String, assets: AssetLocator) throws -> [String] {
        switch name {
        case "wiki": try WikiCorpus.documents(assets: assets)
        case "news": try NewsCorpus.documents(assets: assets)
        case "books": try BooksCorpus.documents(assets: assets)
        default:
            throw CorpusError(file: nil, """
                unknown corpus '\(name)': available are \(builtInNames.joined(separator: ", ")) \
                (or a UTF-8 text file of your own)
                """)
        }
    }

    /// Whether document `index` belongs to the calibration part.
    public static func isCalibrationDocument(index: Int) -> Bool { index % 4 == 3 }

    /// Splits `documents` with the rule above.
    public static func split(name: String, documents: [String]) -> CorpusText {
        var calibration: [String] = [], evaluation: [String] = []
        var seen = Set<String>()
        for document in documents where seen.insert(document).inserted {
            if isCalibrationDocument(index: seen.count - 1) {
                calibration.append(document)
            } else {
                evaluation.append(document)
            }
        }
        return CorpusText(name: name, calibration: calibration.joined(separator: "\n\n"),
                          evaluation: evaluation.joined(separator: "\n\n"),
                          documentCounts: DocumentCounts(calibration: calibration.count, evaluation: evaluation.count))
    }
}

/// A corpus as text: its calibration part and its held-out evaluation part.
public struct CorpusText: Sendable, Equatable {
    /// The corpus name (`wiki`, `news`, `books`) or, for a user's file, its path.
    public let name: String
    public let calibration: String
    public let evaluation: String
    public let documentCounts: DocumentCounts

    public init(name: String, calibration: String, evaluation: String, documentCounts: DocumentCounts) {
        self.name = name
        self.calibration = calibration
        self.evaluation = evaluation
        self.documentCounts = documentCounts
    }
}

/// How many documents each part of a corpus holds.
public struct DocumentCounts: Sendable, Equatable {
    public let calibration: Int
    public let evaluation: Int
    public var total: Int { calibration + evaluation }

    public init(calibration: Int, evaluation: Int) {
        self.calibration = calibration
        self.evaluation = evaluation
    }
}
