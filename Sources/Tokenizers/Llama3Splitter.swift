/// The Llama 3 / Qwen 2 pre-tokenizer regex, scanned by hand:
/// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|`
/// `\s*[\r\n]+|\s+(?!\S)|\s+` — Qwen 2 uses `\p{N}` (one digit per piece) instead of `\p{N}{1,3}`.
struct Llama3Splitter {
    /// Longest run of `\p{N}` in one piece: 3 for Llama 3, 1 for Qwen 2.
    let maxDigits: Int

    /// Appends the end position of every piece of `start..<scanner.end` to `ends`.
    func split(_ scanner: SplitScanner, from start: Int, into ends: inout [Int]) {
        var position = start
        while position < scanner.end {
            position = pieceEnd(scanner, at: position)
            ends.append(position)
        }
    }

    private func pieceEnd(_ scanner: SplitScanner, at position: Int) -> Int {
        let contraction = scanner.contractionLength(at: position, caseInsensitive: true)
        if contraction > 0 { return position + contraction }

        // [^\r\n\p{L}\p{N}]?\p{L}+
        if scanner.isClass(position, .letter) { return scanner.skip(.letter, from: position) }
        let isNewline = scanner.isASCII(position, "\r") || scanner.isASCII(position, "\n")
        if !isNewline, !scanner.isClass(position, .number), scanner.isClass(position + 1, .letter) {
            return scanner.skip(.letter, from: position + 1)
        }

        // \p{N}{1,maxDigits}
        if scanner.isClass(position, .number) {
            return min(scanner.skip(.number, from: position), position + maxDigits)
        }

        //  ?[^\s\p{L}\p{N}]+[\r\n]*
        let body = scanner.isASCII(position, " ") ? position + 1 : position
        if scanner.isClass(body, .other) {
            var index = scanner.skip(.other, from: body)
            while scanner.isASCII(index, "\r") || scanner.isASCII(index, "\n") { index += 1 }
            return index
        }

        // \s*[\r\n]+ : the whitespace run up to and including its last line break.
        let runEnd = scanner.skip(.whitespace, from: position)
        var lastBreak = runEnd
        while lastBreak > position, !(scanner.isASCII(lastBreak - 1, "\r") || scanner.isASCII(lastBreak - 1, "\n")) {
            lastBreak -= 1
        }
        if lastBreak > position { return lastBreak }

        // \s+(?!\S)|\s+
        return scanner.whitespaceEnd(from: position)
    }
}
