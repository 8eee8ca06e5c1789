/// The `news` corpus: the Lee background corpus (gensim's test data, `lee_background.cor`), 300
/// ABC news stories, one per line.
///
/// Extraction: the file must be UTF-8; it is split at "\n"; each line is trimmed of spaces, tabs
/// and "\r"; empty lines are skipped. One document per remaining line, in file order (300 on the
/// pinned asset, of which 7 repeat an earlier story and are dropped by the split, see `Corpora`).
/// Nothing inside a story is changed.
enum NewsCorpus {
    static func documents(assets: AssetLocator) throws -> [String] {
        try documents(path: assets.newsStories)
    }

    static func documents(path: String) throws(CorpusError) -> [String] {
        let bytes = try FileBytes.read(path)
        _ = try UTF8Validation.decode(bytes, file: path)
        let stories = ByteSearch.lines(bytes).map(ByteSearch.trimmed).filter { !$0.isEmpty }
            .map { String(decoding: $0, as: UTF8.self) }
        guard !stories.isEmpty else { throw CorpusError(file: path, "no stories (the file is empty)") }
        return stories
    }
}
