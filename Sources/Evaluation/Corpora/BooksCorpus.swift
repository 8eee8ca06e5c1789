/// The `books` corpus: Jane Austen's six novels from R's janeaustenr package (Debian
/// r-cran-janeaustenr), read from its lazy-load database `data/Rdata.rdb` + `Rdata.rdx` without R.
///
/// Extraction: each novel is a character vector with one element per printed line and "" between
/// paragraphs (an NA element would count as ""). Novels in publication order, as janeaustenr's
/// `austen_books()` lists them: sensesensibility, prideprejudice, mansfieldpark, emma,
/// northangerabbey, persuasion. Each novel is cut into chapters at lines that are exactly
/// `CHAPTER n` or `Chapter n` (n arabic or roman, optional final "."); a `VOLUME n` line that
/// precedes a chapter heading (with only blank lines between) starts that chapter instead. The
/// front matter before the first heading (title, author, preface) belongs to the first chapter;
/// the end matter ("THE END", notes) to the last. One document per chapter: its lines joined with
/// "\n" unchanged (so paragraphs stay separated by blank lines exactly as in the source), without
/// leading or trailing blank lines. On the pinned package: 50 + 61 + 48 + 55 + 31 + 24 = 269 chapters.
enum BooksCorpus {
    static let novels = ["sensesensibility", "prideprejudice", "mansfieldpark", "emma", "northangerabbey", "persuasion"]

    static func documents(assets: AssetLocator) throws -> [String] {
        try documents(dataDirectory: assets.janeaustenrData)
    }

    static func documents(dataDirectory: String) throws(CorpusError) -> [String] {
        var chapters: [String] = []
        for novel in try novelLines(dataDirectory: dataDirectory) {
            chapters += self.chapters(of: novel.lines)
        }
        return chapters
    }

    /// The six novels' lines, in publication order.
    static func novelLines(dataDirectory: String) throws(CorpusError) -> [(name: String, lines: [String])] {
        let database = try RLazyLoadDatabase(directory: dataDirectory)
        var novels: [(name: String, lines: [String])] = []
        for name in Self.novels {
            guard case .string(let lines) = try database.object(named: name).payload else {
                throw CorpusError(file: database.dataPath, "`\(name)` is not a character vector")
            }
            novels.append((name, lines.map { $0 ?? "" }))
        }
        return novels
    }

    /// A novel's chapters (see the rules above).
    static func chapters(of lines: [String]) -> [String] {
        var starts: [Int] = []
        for index in lines.indices where isHeading(lines[index], words: ["CHAPTER", "Chapter"]) {
            var start = index
            var before = index - 1
            while before >= 0 && isBlank(lines[before]) { before -= 1 }
            if before >= 0, before > (starts.last ?? -1), isHeading(lines[before], words: ["VOLUME", "Volume"]) {
                start = before
            }
            starts.append(start)
        }
        guard !starts.isEmpty else { return [joined(lines[...])].filter { !$0.isEmpty } }
        starts[0] = 0
        return starts.indices.map { k in
            joined(lines[starts[k]..<(k + 1 < starts.count ? starts[k + 1] : lines.count)])
        }
    }

    /// `WORD n` where n is arabic or roman, with an optional final ".".
    static func isHeading(_ line: String, words: [String]) -> Bool {
        guard let word = words.first(where: { line.hasPrefix($0 + " ") }) else { return false }
        var number = line.dropFirst(word.count + 1)
        if number.last == "." { number = number.dropLast() }
        guard !number.isEmpty else { return false }
        return number.allSatisfy(\.isASCIIDigit) || number.allSatisfy { "IVXLC".contains($0) }
    }

    private static func isBlank(_ line: String) -> Bool {
        line.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\r" }
    }

    /// Lines joined with "\n", without leading and trailing blank lines.
    private static func joined(_ lines: ArraySlice<String>) -> String {
        guard let first = lines.firstIndex(where: { !isBlank($0) }), let last = lines.lastIndex(where: { !isBlank($0) }) else {
            return ""
        }
        return lines[first...last].joined(separator: "\n")
    }
}

private extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
