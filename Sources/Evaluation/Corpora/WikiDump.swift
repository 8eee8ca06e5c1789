/// Pages of a MediaWiki XML export (`<mediawiki><page>…</page>…`), read without a general XML
/// parser: the export's layout is fixed, each `<page>` holds `<title>`, `<ns>`, an optional
/// `<redirect …/>` and a `<revision>` with `<text …>…</text>` (or an empty `<text … />`).
/// Title and text have their XML character references decoded (`&amp;` → `&`, `&lt;` → `<` …),
/// which turns them into the wikitext an editor typed.
struct WikiPage: Sendable, Equatable {
    var title: String
    var namespace: Int
    var isRedirect: Bool
    /// The wikitext as UTF-8 bytes.
    var text: [UInt8]
}

enum WikiDump {
    /// All pages of the export in file order. Throws when the XML is not a MediaWiki export or a
    /// page lacks its title, namespace or text.
    static func pages(_ xml: [UInt8], file: String) throws(CorpusError) -> [WikiPage] {
        guard ByteSearch.find(Array("<mediawiki".utf8), in: xml, from: 0, to: min(xml.count, 4096)) != nil else {
            throw CorpusError(file: file, "not a MediaWiki XML export (no <mediawiki> element at the start)")
        }
        var pages: [WikiPage] = []
        var position = 0
        let open = Array("<page>".utf8), close = Array("</page>".utf8)
        while let start = ByteSearch.find(open, in: xml, from: position) {
            guard let end = ByteSearch.find(close, in: xml, from: start) else {
                throw CorpusError(file: file, "page at byte offset \(start) has no </page> (file truncated?)")
            }
            pages.append(try page(xml, start + open.count, end, file: file))
            position = end + close.count
        }
        return pages
    }

    private static func page(_ xml: [UInt8], _ start: Int, _ end: Int, file: String) throws(CorpusError) -> WikiPage {
        func missing(_ what: String) -> CorpusError {
            CorpusError(file: file, "page at byte offset \(start): no \(what)")
        }
        guard let title = element("title", in: xml, start, end) else { throw missing("<title>") }
        guard let namespaceBytes = element("ns", in: xml, start, end),
              let namespace = Int(String(decoding: namespaceBytes, as: UTF8.self)) else { throw missing("numeric <ns>") }
        let isRedirect = ByteSearch.find(Array("<redirect".utf8), in: xml, from: start, to: end) != nil
        guard let text = element("text", in: xml, start, end) else { throw missing("<text>") }
        return WikiPage(title: String(decoding: Entities.decode(Array(title), table: Entities.xml), as: UTF8.self),
                        namespace: namespace, isRedirect: isRedirect,
                        text: Entities.decode(Array(text), table: Entities.xml))
    }

    /// The content of the first `<name …>…</name>` in `xml[start..<end]` (empty for `<name … />`).
    private static func element(_ name: String, in xml: [UInt8], _ start: Int, _ end: Int) -> ArraySlice<UInt8>? {
        let open = Array("<\(name)".utf8), close = Array("</\(name)>".utf8)
        var search = start
        while let tag = ByteSearch.find(open, in: xml, from: search, to: end) {
            let after = tag + open.count
            // Must be exactly this element (`<ns>` is not `<nsfoo>`).
            guard after < end, xml[after] == UInt8(ascii: ">") || ByteSearch.isSpace(xml[after])
                    || xml[after] == UInt8(ascii: "/") else {
                search = after
                continue
            }
            guard let tagEnd = ByteSearch.find([UInt8(ascii: ">")], in: xml, from: after, to: end) else { return nil }
            if xml[tagEnd - 1] == UInt8(ascii: "/") { return xml[tagEnd..<tagEnd] }
            guard let contentEnd = ByteSearch.find(close, in: xml, from: tagEnd + 1, to: end) else { return nil }
            return xml[(tagEnd + 1)..<contentEnd]
        }
        return nil
    }
}
