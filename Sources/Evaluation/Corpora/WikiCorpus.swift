/// The `wiki` corpus: articles of a shortened English Wikipedia dump (gensim's test data,
/// `enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2`).
///
/// Extraction: the bzip2 file is decompressed (libbz2) and must be UTF-8; its `<page>`s are read
/// in file order (`WikiDump`); redirects and pages outside the main namespace (`<ns>` ≠ 0) are
/// skipped; each article's wikitext is turned into plain text by `WikiMarkup.plainText` (which
/// documents exactly what is stripped). One document per article: the title, a blank line, then
/// the plain text. Articles whose plain text is empty are skipped. On the pinned asset this gives
/// 106 documents.
enum WikiCorpus {
    static func documents(assets: AssetLocator) throws -> [String] {
        try documents(dumpPath: assets.wikiDump)
    }

    static func documents(dumpPath: String) throws(CorpusError) -> [String] {
        let xml = try Bzip2.decompress(FileBytes.read(dumpPath), file: dumpPath)
        if let offset = UTF8Validation.firstInvalidOffset(xml) {
            throw CorpusError(file: dumpPath, "decompressed XML is not valid UTF-8 at byte offset \(offset)")
        }
        return try documents(xml: xml, file: dumpPath)
    }

    /// Documents from an uncompressed MediaWiki export.
    static func documents(xml: [UInt8], file: String) throws(CorpusError) -> [String] {
        try WikiDump.pages(xml, file: file).compactMap { page in
            guard page.namespace == 0, !page.isRedirect else { return nil }
            let body = WikiMarkup.plainText(page.text)
            return body.isEmpty ? nil : page.title + "\n\n" + body
        }
    }
}
