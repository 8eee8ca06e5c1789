/// Steps 5 and 6 of `WikiMarkup`: internal `[[…]]` and external `[url label]` links (see
/// `WikiMarkup` for the rules).
extension WikiMarkup {
    // MARK: - 5. Internal links

    static let droppedNamespaces: Set<String> = ["file", "image", "media", "category"]

    static func renderInternalLinks(_ input: [UInt8]) -> [UInt8] {
        guard ByteSearch.find(Array("[[".utf8), in: input, from: 0) != nil else { return input }
        // Match `[[` with `]]`. Single brackets of external links inside a link (`[http://x y]]]`)
        // are tracked so that their `]` is not taken as half of the link's `]]`.
        var match: [Int: Int] = [:]
        var open: [Int] = []
        var single = 0
        var i = 0
        while i < input.count {
            let byte = input[i]
            let next = i + 1 < input.count ? input[i + 1] : 0
            if byte == UInt8(ascii: "[") && next == UInt8(ascii: "[") {
                open.append(i)
                i += 2
            } else if byte == UInt8(ascii: "[") {
                if !open.isEmpty && startsExternalLink(input, at: i) { single += 1 }
                i += 1
            } else if byte == UInt8(ascii: "]") && single > 0 {
                single -= 1
                i += 1
            } else if byte == UInt8(ascii: "]") && next == UInt8(ascii: "]") {
                if let start = open.popLast() { match[start] = i }
                i += 2
            } else {
                if byte == UInt8(ascii: "\n") && next == UInt8(ascii: "\n") { single = 0 }
                i += 1
            }
        }
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        render(input, 0..<input.count, match, into: &output)
        return output
    }

    private static func render(_ input: [UInt8], _ range: Range<Int>, _ match: [Int: Int], into output: inout [UInt8]) {
        var i = range.lowerBound
        while i < range.upperBound {
            let byte = input[i]
            let next = i + 1 < range.upperBound ? input[i + 1] : 0
            if byte == UInt8(ascii: "[") && next == UInt8(ascii: "[") {
                if let close = match[i], close < range.upperBound {
                    renderLink(input, (i + 2)..<close, match, into: &output)
                    i = close + 2
                } else {
                    i += 2  // unmatched `[[`
                }
            } else if byte == UInt8(ascii: "]") && next == UInt8(ascii: "]") {
                i += 2  // unmatched `]]`
            } else {
                output.append(byte)
                i += 1
            }
        }
    }

    private static func renderLink(_ input: [UInt8], _ content: Range<Int>, _ match: [Int: Int],
                                   into output: inout [UInt8]) {
        let pipe = input[content].firstIndex(of: UInt8(ascii: "|"))
        var target = ByteSearch.trimmed(input[content.lowerBound..<(pipe ?? content.upperBound)])
        let leadingColon = target.first == UInt8(ascii: ":")
        if leadingColon { target = ByteSearch.trimmed(target.dropFirst()) }
        let colon = target.firstIndex(of: UInt8(ascii: ":"))
        let prefix = colon.map { String(decoding: target[target.startIndex..<$0], as: UTF8.self) }
        if let prefix {
            let name = prefix.trimmingSpaces.lowercased()
            if !leadingColon && droppedNamespaces.contains(name) { return }
            if !leadingColon && pipe == nil && isLanguageCode(prefix) { return }
        }
        guard let pipe else {
            output.append(contentsOf: target)
            return
        }
        let label = (pipe + 1)..<content.upperBound
        if ByteSearch.trimmed(input[label]).isEmpty {
            // The pipe trick: `[[Help:Foo (bar)|]]` shows "Foo".
            var shown = colon.map { target[($0 + 1)...] } ?? target
            if shown.last == UInt8(ascii: ")"), let paren = shown.lastIndex(of: UInt8(ascii: "(")) {
                shown = ByteSearch.trimmed(shown[shown.startIndex..<paren])
            }
            output.append(contentsOf: shown)
        } else {
            render(input, label, match, into: &output)
        }
    }

    /// `xx`, `xxx`, `xx-yyy`, `be-x-old` …: lower-case letters, the first part 2–3 long.
    private static func isLanguageCode(_ prefix: String) -> Bool {
        let parts = prefix.split(separator: "-", omittingEmptySubsequences: false)
        guard let first = parts.first, (2...3).contains(first.count) else { return false }
        return parts.allSatisfy { part in !part.isEmpty && part.unicodeScalars.allSatisfy { ("a"..."z").contains($0) } }
    }

    // MARK: - 6. External links

    static let urlSchemes = ["http://", "https://", "ftp://", "ftps://", "//", "mailto:", "news:", "irc://",
                             "ircs://", "gopher://", "git://", "svn://", "telnet://", "worldwind://", "urn:"]
        .map { Array($0.utf8) }

    /// Whether the `[` at `index` opens an external link (a URL scheme follows it).
    private static func startsExternalLink(_ input: [UInt8], at index: Int) -> Bool {
        urlSchemes.contains { ByteSearch.hasPrefix($0, in: input, at: index + 1, ignoringCase: true) }
    }

    static func renderExternalLinks(_ input: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var i = 0
        while i < input.count {
            if input[i] == UInt8(ascii: "["), startsExternalLink(input, at: i) {
                var end = i + 1
                while end < input.count && input[end] != UInt8(ascii: "]") && input[end] != UInt8(ascii: "\n") { end += 1 }
                if end < input.count && input[end] == UInt8(ascii: "]") {
                    let inside = input[(i + 1)..<end]
                    if let space = inside.firstIndex(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) {
                        output.append(contentsOf: ByteSearch.trimmed(inside[space...]))
                    }
                    i = end + 1
                    continue
                }
            }
            output.append(input[i])
            i += 1
        }
        return output
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: Substring {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else {
            return ""
        }
        return self[first...last]
    }
}
