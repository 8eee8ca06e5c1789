/// Wikitext → plain text. The passes run in this order, each over the whole article (as UTF-8
/// bytes; every delimiter is ASCII):
///
///  1. Comments `<!-- … -->` are removed (an unclosed one runs to the end of the article).
///  2. Tags (only names HTML or MediaWiki knows, case-insensitive; anything else such as `<3` stays
///     text): elements whose content is not prose are removed with their content — `ref`,
///     `references`, `math`, `chem`, `ce`, `gallery`, `source`, `syntaxhighlight`, `timeline`,
///     `score`, `imagemap`, `hiero`, `graph`, `includeonly`, `inputbox`, `categorytree`, `mapframe`,
///     `maplink`, `templatedata`, `templatestyles`, `indicator` (self-closing ones like
///     `<ref name="x"/>` too; an opening tag without its closing tag is removed alone). `<br>` and
///     `<hr>` become a line break. The content of `<nowiki>` and `<pre>` is protected from the
///     later passes (its markup characters are escaped as character references, decoded in step 8).
///     Every other known tag is removed and its content kept.
///  3. Templates and parser functions `{{ … }}` are removed, nested ones included; an unmatched
///     `{{` is removed alone, an unmatched `}}` stays.
///  4. Tables `{| … |}` are removed line by line: from a line starting (after spaces and `:`
///     indentation) with `{|` through the line starting with its matching `|}`, nested tables
///     included; an unclosed table runs to the end of the article.
///  5. Internal links `[[ … ]]` (nested ones included, as in image captions): links to the File,
///     Image, Media and Category namespaces are removed with everything inside them, and so are
///     interlanguage links (`[[xx:…]]` / `[[xx-yy:…]]` with a lower-case 2–3 letter prefix and no
///     label). `[[target|label]]` becomes `label` (with its own links rendered), `[[target|]]`
///     becomes the target without namespace and trailing parenthesis, `[[target]]` becomes
///     `target`; a leading `:` of the target is dropped. Unmatched `[[` and `]]` are removed.
///  6. External links `[scheme://host/path label]` become `label`, or nothing when there is no
///     label (schemes: http, https, ftp, ftps, //, mailto, news, irc, ircs, gopher, git, svn,
///     telnet, worldwind, urn); bare URLs stay.
///  7. Bold and italic: every run of two or more `'` is removed.
///  8. Lines (`WikiLines`): magic words `__NAME__` are removed; `== Heading ==` (any level)
///     becomes the heading text on its own line with a blank line before and after; list and
///     indentation markers (`*`, `#`, `:`, `;`) at the start of a line are removed; lines of
///     four or more `-` become blank; HTML character references are decoded (`Entities.html`:
///     `&nbsp;` and other spaces become a plain space); runs of spaces and tabs become one space,
///     lines are trimmed; parentheses left with nothing but spaces, commas and semicolons inside
///     (`()`, `( ; )` — where a template was) are removed (with the spaces before them when `,` `.`
///     `;` or `:` follows: `ASCII ( ), abbreviated` → `ASCII, abbreviated`), and those characters are removed right
///     after any other `(` (`(; born 1894)` → `(born 1894)`); lines left without any letter or
///     digit (a list item that was only a citation template leaves "."; any non-ASCII character
///     counts as a letter) become blank; headings whose section is empty (next
///     non-blank line is a heading of the same or a higher level, or the end) are removed; runs
///     of blank lines become one blank line; leading and trailing blank lines are removed.
///
/// Steps 2 (`WikiTags.swift`), 5–6 (`WikiLinks.swift`) and 8 (`WikiLines.swift`) live in their
/// own files.
enum WikiMarkup {
    /// The plain text of an article's wikitext.
    static func plainText(_ wikitext: [UInt8]) -> String {
        var text = removeComments(wikitext)
        text = processTags(text)
        text = removeTemplates(text)
        text = removeTables(text)
        text = renderInternalLinks(text)
        text = renderExternalLinks(text)
        text = removeEmphasis(text)
        return WikiLines.format(text)
    }

    // MARK: - 1. Comments

    static func removeComments(_ input: [UInt8]) -> [UInt8] {
        let open = Array("<!--".utf8), close = Array("-->".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var position = 0
        while let start = ByteSearch.find(open, in: input, from: position) {
            output.append(contentsOf: input[position..<start])
            guard let end = ByteSearch.find(close, in: input, from: start + open.count) else { return output }
            position = end + close.count
        }
        output.append(contentsOf: input[position...])
        return output
    }

    // MARK: - 3. Templates

    static func removeTemplates(_ input: [UInt8]) -> [UInt8] {
        // One pass with a stack of open `{{`; every matched pair marks a range to remove.
        var removed: [Range<Int>] = []
        var open: [Int] = []
        var i = 0
        while i + 1 < input.count {
            if input[i] == UInt8(ascii: "{") && input[i + 1] == UInt8(ascii: "{") {
                open.append(i)
                i += 2
            } else if input[i] == UInt8(ascii: "}") && input[i + 1] == UInt8(ascii: "}"), let start = open.popLast() {
                removed.append(start..<(i + 2))
                i += 2
            } else {
                i += 1
            }
        }
        removed += open.map { $0..<($0 + 2) }  // unmatched `{{`
        return removing(removed, from: input)
    }

    /// `input` without the union of `ranges`.
    private static func removing(_ ranges: [Range<Int>], from input: [UInt8]) -> [UInt8] {
        guard !ranges.isEmpty else { return input }
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var position = 0
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) where range.upperBound > position {
            if range.lowerBound > position { output.append(contentsOf: input[position..<range.lowerBound]) }
            position = range.upperBound
        }
        output.append(contentsOf: input[position...])
        return output
    }

    // MARK: - 4. Tables

    static func removeTables(_ input: [UInt8]) -> [UInt8] {
        guard ByteSearch.find(Array("{|".utf8), in: input, from: 0) != nil else { return input }
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var depth = 0
        var first = true
        for line in ByteSearch.lines(input) {
            var start = line.startIndex
            while start < line.endIndex, line[start] == UInt8(ascii: " ") || line[start] == UInt8(ascii: "\t")
                    || line[start] == UInt8(ascii: ":") { start += 1 }
            let rest = line[start...]
            var keep = false
            if rest.starts(with: "{|".utf8) {
                depth += 1
            } else if depth > 0 {
                if rest.starts(with: "|}".utf8) { depth -= 1 }
            } else {
                keep = true
            }
            // A removed line becomes empty, so the paragraphs around a table stay apart.
            if !first { output.append(UInt8(ascii: "\n")) }
            first = false
            if keep { output.append(contentsOf: line) }
        }
        return output
    }

    // MARK: - 7. Bold and italic

    static func removeEmphasis(_ input: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var i = 0
        while i < input.count {
            if input[i] == UInt8(ascii: "'") {
                var end = i
                while end < input.count && input[end] == UInt8(ascii: "'") { end += 1 }
                if end - i == 1 { output.append(input[i]) }
                i = end
                continue
            }
            output.append(input[i])
            i += 1
        }
        return output
    }
}
