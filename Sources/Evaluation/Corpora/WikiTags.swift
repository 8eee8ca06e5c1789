/// Step 2 of `WikiMarkup`: HTML and extension tags (see `WikiMarkup` for the rules).
extension WikiMarkup {
    static let droppedElements: Set<String> = [
        "ref", "references", "math", "chem", "ce", "gallery", "source", "syntaxhighlight", "timeline", "score",
        "imagemap", "hiero", "graph", "includeonly", "inputbox", "categorytree", "mapframe", "maplink",
        "templatedata", "templatestyles", "indicator",
    ]
    static let literalElements: Set<String> = ["nowiki", "pre"]
    static let lineBreakElements: Set<String> = ["br", "hr"]
    static let transparentElements: Set<String> = [
        "abbr", "b", "bdi", "bdo", "big", "blockquote", "caption", "center", "cite", "code", "data", "dd", "del",
        "dfn", "div", "dl", "dt", "em", "font", "h1", "h2", "h3", "h4", "h5", "h6", "i", "ins", "kbd", "li", "mark",
        "noinclude", "ol", "onlyinclude", "p", "poem", "q", "rb", "rp", "rt", "rtc", "ruby", "s", "samp", "section",
        "small", "span", "strike", "strong", "sub", "sup", "table", "td", "th", "time", "tr", "tt", "u", "ul", "var",
        "wbr",
    ]

    /// A tag found at some `<`: its lower-cased name, whether it closes or closes itself, and the
    /// index just after its `>`.
    private struct Tag {
        var name: String
        var isClosing: Bool
        var isSelfClosing: Bool
        var end: Int
    }

    private static func tag(in input: [UInt8], at start: Int) -> Tag? {
        var i = start + 1
        let isClosing = i < input.count && input[i] == UInt8(ascii: "/")
        if isClosing { i += 1 }
        let nameStart = i
        while i < input.count, ByteSearch.isLetter(input[i]) || (i > nameStart && input[i] >= UInt8(ascii: "0")
                                                                 && input[i] <= UInt8(ascii: "9")) { i += 1 }
        guard i > nameStart, i < input.count else { return nil }
        let name = String(decoding: input[nameStart..<i].map(ByteSearch.lowercased), as: UTF8.self)
        guard droppedElements.contains(name) || literalElements.contains(name) || lineBreakElements.contains(name)
                || transparentElements.contains(name) else { return nil }
        guard input[i] == UInt8(ascii: ">") || input[i] == UInt8(ascii: "/") || ByteSearch.isSpace(input[i]) else {
            return nil
        }
        // Attributes: up to the next `>`, without crossing another `<`.
        while i < input.count && input[i] != UInt8(ascii: ">") && input[i] != UInt8(ascii: "<") { i += 1 }
        guard i < input.count, input[i] == UInt8(ascii: ">") else { return nil }
        return Tag(name: name, isClosing: isClosing, isSelfClosing: input[i - 1] == UInt8(ascii: "/"), end: i + 1)
    }

    /// The range of the first `</name>` (case-insensitive, spaces allowed before `>`, nothing else:
    /// like MediaWiki, `</ref name="x">` does not close a `<ref>`) at or after `start`.
    private static func closingTag(_ name: String, in input: [UInt8], from start: Int) -> Range<Int>? {
        let open = Array("</\(name)".utf8)
        var i = start
        while let found = ByteSearch.find([UInt8(ascii: "<")], in: input, from: i) {
            if ByteSearch.hasPrefix(open, in: input, at: found, ignoringCase: true) {
                var end = found + open.count
                while end < input.count && ByteSearch.isSpace(input[end]) { end += 1 }
                if end < input.count && input[end] == UInt8(ascii: ">") { return found..<(end + 1) }
            }
            i = found + 1
        }
        return nil
    }

    static func processTags(_ input: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var i = 0
        while i < input.count {
            guard input[i] == UInt8(ascii: "<"), let tag = tag(in: input, at: i) else {
                output.append(input[i])
                i += 1
                continue
            }
            if lineBreakElements.contains(tag.name) {
                output.append(UInt8(ascii: "\n"))
            } else if !tag.isClosing && !tag.isSelfClosing
                        && (droppedElements.contains(tag.name) || literalElements.contains(tag.name)),
                      let close = closingTag(tag.name, in: input, from: tag.end) {
                if literalElements.contains(tag.name) {
                    output.append(contentsOf: escapeMarkup(input[tag.end..<close.lowerBound]))
                }
                i = close.upperBound
                continue
            }
            i = tag.end
        }
        return output
    }

    /// Escapes the characters later passes treat as markup, as character references that step 8
    /// decodes back.
    private static func escapeMarkup(_ text: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        for byte in text {
            switch byte {
            case UInt8(ascii: "&"): output.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): output.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): output.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "'"),
                 UInt8(ascii: "|"), UInt8(ascii: "="), UInt8(ascii: "_"):
                output.append(contentsOf: "&#\(byte);".utf8)
            default: output.append(byte)
            }
        }
        return output
    }
}
