/// The line-level last pass of `WikiMarkup` (its step 8): headings, list markers, magic words,
/// horizontal rules, character references, whitespace, empty parentheses, empty sections and
/// blank lines. See `WikiMarkup` for the exact rules.
enum WikiLines {
    private enum Line {
        case blank
        case text([UInt8])
        case heading(level: Int, text: [UInt8])
    }

    static func format(_ input: [UInt8]) -> String {
        let lines = ByteSearch.lines(input).map(classify)
        return String(decoding: assemble(withoutEmptySections(lines)), as: UTF8.self)
    }

    private static func classify(_ raw: ArraySlice<UInt8>) -> Line {
        var line = ByteSearch.trimmed(removeMagicWords(raw)[...])
        if line.isEmpty { return .blank }
        if line.first == UInt8(ascii: "="), line.last == UInt8(ascii: "=") {
            let leading = line.prefix { $0 == UInt8(ascii: "=") }.count
            let trailing = line.reversed().prefix { $0 == UInt8(ascii: "=") }.count
            let level = min(leading, trailing)
            guard line.count > 2 * level else { return .blank }
            let text = clean(line.dropFirst(level).dropLast(level))
            return text.isEmpty ? .blank : .heading(level: level, text: text)
        }
        if line.count >= 4 && line.allSatisfy({ $0 == UInt8(ascii: "-") }) { return .blank }
        while let first = line.first, [UInt8(ascii: "*"), UInt8(ascii: "#"), UInt8(ascii: ":"), UInt8(ascii: ";")]
                .contains(first) {
            line = line.dropFirst()
        }
        let text = clean(line)
        return text.contains(where: isLetterOrDigit) ? .text(text) : .blank
    }

    /// ASCII letters and digits, and any non-ASCII byte (part of a letter in most scripts).
    private static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        byte >= 0x80 || ByteSearch.isLetter(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    /// Removes `__NAME__` behaviour switches (`__TOC__`, `__NOTOC__` …).
    private static func removeMagicWords(_ line: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        var i = line.startIndex
        while i < line.endIndex {
            if line[i] == UInt8(ascii: "_"), i + 1 < line.endIndex, line[i + 1] == UInt8(ascii: "_") {
                var end = i + 2
                while end < line.endIndex && line[end] >= UInt8(ascii: "A") && line[end] <= UInt8(ascii: "Z") { end += 1 }
                if end > i + 2, end + 1 < line.endIndex, line[end] == UInt8(ascii: "_"), line[end + 1] == UInt8(ascii: "_") {
                    i = end + 2
                    continue
                }
            }
            output.append(line[i])
            i += 1
        }
        return output
    }

    /// Character references decoded; parentheses with only spaces, commas and semicolons inside
    /// removed (with the spaces before them when punctuation follows), and those characters removed
    /// after any other "("; whitespace runs collapsed; trimmed.
    private static func clean(_ text: ArraySlice<UInt8>) -> [UInt8] {
        let decoded = Entities.decode(Array(text), table: Entities.html)
        var withoutParens: [UInt8] = []
        withoutParens.reserveCapacity(decoded.count)
        var i = 0
        while i < decoded.count {
            if decoded[i] == UInt8(ascii: "(") {
                var end = i + 1
                while end < decoded.count, [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: ","), UInt8(ascii: ";")]
                        .contains(decoded[end]) { end += 1 }
                if end < decoded.count && decoded[end] == UInt8(ascii: ")") {
                    i = end + 1  // nothing inside: drop the parentheses, and the space before
                    // them when punctuation follows ("ASCII ( ), abbreviated" → "ASCII, abbreviated").
                    if i < decoded.count, [UInt8(ascii: ","), UInt8(ascii: "."), UInt8(ascii: ";"), UInt8(ascii: ":")]
                        .contains(decoded[i]) {
                        while let last = withoutParens.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") {
                            withoutParens.removeLast()
                        }
                    }
                } else {
                    withoutParens.append(UInt8(ascii: "("))
                    i = end  // "(; born 1894" → "(born 1894"
                }
                continue
            }
            withoutParens.append(decoded[i])
            i += 1
        }
        var output: [UInt8] = []
        output.reserveCapacity(withoutParens.count)
        for byte in withoutParens {
            let isBlank = byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
            if isBlank {
                if let last = output.last, last != UInt8(ascii: " ") { output.append(UInt8(ascii: " ")) }
            } else {
                output.append(byte)
            }
        }
        if output.last == UInt8(ascii: " ") { output.removeLast() }
        return output
    }

    /// Drops headings whose section is empty: the next non-blank line is a heading of the same or
    /// a higher level (fewer `=`), or there is none.
    private static func withoutEmptySections(_ lines: [Line]) -> [Line] {
        var kept: [Line] = []
        var anythingAfter = false
        var nextHeadingLevel: Int?  // level of the next kept non-blank line when it is a heading
        for line in lines.reversed() {
            switch line {
            case .blank:
                kept.append(line)
            case .text:
                kept.append(line)
                anythingAfter = true
                nextHeadingLevel = nil
            case .heading(let level, _):
                if !anythingAfter { continue }
                if let next = nextHeadingLevel, next <= level { continue }
                kept.append(line)
                nextHeadingLevel = level
            }
        }
        return kept.reversed()
    }

    /// Lines joined with "\n"; a heading gets a blank line before and after it; runs of blank lines
    /// become one; no blank lines at the start or end.
    private static func assemble(_ lines: [Line]) -> [UInt8] {
        var output: [UInt8] = []
        var pendingBlank = false
        func separate(blank: Bool) {
            guard !output.isEmpty else { return }
            output.append(UInt8(ascii: "\n"))
            if blank { output.append(UInt8(ascii: "\n")) }
        }
        for line in lines {
            switch line {
            case .blank:
                pendingBlank = true
            case .text(let text):
                separate(blank: pendingBlank)
                output.append(contentsOf: text)
                pendingBlank = false
            case .heading(_, let text):
                separate(blank: true)
                output.append(contentsOf: text)
                pendingBlank = true
            }
        }
        return output
    }
}
