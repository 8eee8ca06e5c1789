/// SentencePiece-style BPE as llama.cpp runs it for `tokenizer.ggml.model` "llama" (Llama 1/2,
/// Gemma): the text (spaces already written as ▁) starts as one symbol per UTF-8 character; the
/// adjacent pair whose concatenation is a vocabulary token with the highest score is merged
/// (leftmost first among equal scores) until no pair forms a token; a final symbol that is not a
/// token is written as byte tokens `<0xXX>` (byte fallback), or the unknown token when the
/// vocabulary has no byte tokens.
struct SentencePieceModel: Sendable {
    /// Every token's text (UTF-8) → id.
    let vocabulary: ByteStringTable
    let scores: [Float]
    /// Id of `<0xXX>` for each byte, or -1.
    let byteTokens: [Int32]
    let unknownTokenId: Int32?

    init(tokens: [String], scores: [Float], unknownTokenId: Int32?) {
        let table = ByteStringTable(tokens.enumerated().map { (Array($0.element.utf8), Int32($0.offset)) })
        vocabulary = table
        self.scores = scores
        let hex = Array("0123456789ABCDEF".utf8)
        byteTokens = (0..<256).map { b in
            let name: [UInt8] = Array("<0x".utf8) + [hex[b >> 4], hex[b & 15], UInt8(ascii: ">")]
            return table.lookup(name) ?? -1
        }
        self.unknownTokenId = unknownTokenId
    }

    private struct Symbol {
        var start: Int32
        var length: Int32
        var previous: Int32
        var next: Int32
    }

    private struct Bigram: HeapOrdered {
        var score: Float
        var left: Int32
        var right: Int32
        var size: Int32

        /// Pops first: higher score, then smaller left index (llama.cpp's comparator).
        @inline(__always)
        func precedes(_ other: Bigram) -> Bool {
            score > other.score || (score == other.score && left < other.left)
        }
    }

    /// Appends the ids of `text` (UTF-8, spaces already escaped as ▁) to `output`.
    func encode(_ text: [UInt8], into output: inout [Int32]) {
        guard !text.isEmpty else { return }
        text.withUnsafeBufferPointer { buffer in
            let p = buffer.baseAddress!
            let n = buffer.count
            // one symbol per UTF-8 character (a stray continuation byte is a character of its own)
            var symbols: [Symbol] = []
            symbols.reserveCapacity(n)
            var offset = 0
            while offset < n {
                let length = min(Self.utf8Length(p[offset]), n - offset)
                let index = Int32(symbols.count)
                symbols.append(Symbol(start: Int32(offset), length: Int32(length), previous: index - 1,
                                      next: offset + length == n ? -1 : index + 1))
                offset += length
            }
            var queue = MinHeap<Bigram>(capacity: symbols.count)

            func tryAdd(_ left: Int32, _ right: Int32) {
                guard left >= 0, right >= 0 else { return }
                let l = symbols[Int(left)], r = symbols[Int(right)]
                let size = Int(l.length + r.length)
                guard let id = vocabulary.lookup(p + Int(l.start), size), Int(id) < scores.count else { return }
                queue.push(Bigram(score: scores[Int(id)], left: left, right: right, size: Int32(size)))
            }

            for i in 1..<symbols.count { tryAdd(Int32(i - 1), Int32(i)) }
            while let bigram = queue.pop() {
                let left = Int(bigram.left), right = Int(bigram.right)
                // skip pairs one of whose symbols has been merged since
                guard symbols[left].length > 0, symbols[right].length > 0,
                      symbols[left].length + symbols[right].length == bigram.size else { continue }
                symbols[left].length += symbols[right].length
                symbols[right].length = 0
                symbols[left].next = symbols[right].next
                if symbols[right].next >= 0 { symbols[Int(symbols[right].next)].previous = bigram.left }
                tryAdd(symbols[left].previous, bigram.left)
                tryAdd(bigram.left, symbols[left].next)
            }
            var index: Int32 = 0
            while index != -1 {
                let s = symbols[Int(index)]
                if let id = vocabulary.lookup(p + Int(s.start), Int(s.length)) {
                    output.append(id)
                } else {
                    for j in 0..<Int(s.length) {
                        let byteToken = byteTokens[Int(p[Int(s.start) + j])]
                        if byteToken >= 0 {
                            output.append(byteToken)
                        } else if let unknownTokenId {
                            output.append(unknownTokenId)
                        }
                    }
                }
                index = s.next
            }
        }
    }

    /// Bytes in the UTF-8 sequence a lead byte starts (1 for continuation or invalid bytes).
    @inline(__always)
    static func utf8Length(_ lead: UInt8) -> Int {
        switch lead >> 4 {
        case 0xC, 0xD: 2
        case 0xE: 3
        case 0xF: 4
        default: 1
        }
    }
}
