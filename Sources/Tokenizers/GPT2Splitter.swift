/// GPT-2's pre-tokenizer regex, scanned by hand:
/// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
enum GPT2Splitter {
    /// Appends the end position of every piece of `start..<scanner.end` to `ends`.
    static func split(_ scanner: SplitScanner, from start: Int, into ends: inout [Int]) {
        var position = start
        while position < scanner.end {
            position = pieceEnd(scanner, at: position)
            ends.append(position)
        }
    }

    private static func pieceEnd(_ scanner: SplitScanner, at position: Int) -> Int {
        let contraction = scanner.contractionLength(at: position, caseInsensitive: false)
        if contraction > 0 { return position + contraction }

        // ` ?` — an ASCII space may lead a letter, number or punctuation run.
        let body = scanner.isASCII(position, " ") && position + 1 < scanner.end ? position + 1 : position
        if body < scanner.end {
            let bodyClass = ScalarCodes.scalarClass(of: scanner.codes[body])
            if bodyClass != .whitespace { return scanner.skip(bodyClass, from: body) }
        }
        return scanner.whitespaceEnd(from: position)
    }
}
