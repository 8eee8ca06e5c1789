/// Finds special and added tokens in raw UTF-8 input: a byte trie giving, at each position, the
/// longest token that starts there; scanning left to right gives leftmost-longest matches.
struct SpecialTokenMatcher: Sendable {
    /// A piece of input after special-token partitioning.
    enum Fragment {
        case text(Range<Int>)
        case token(Int32)
    }

    private struct Node: Sendable {
        var children: [UInt8: Int32] = [:]
        var tokenId: Int32 = -1
        var needsParseSpecial = false
    }

    private var nodes = [Node()]
    private var startsToken = [Bool](repeating: false, count: 256)
    /// Ids whose match also swallows adjacent whitespace (HF `lstrip` / `rstrip`).
    private var leftStripping: Set<Int32> = []
    private var rightStripping: Set<Int32> = []

    var isEmpty: Bool { nodes.count == 1 }

    mutating func add(_ text: String, id: Int32, needsParseSpecial: Bool, lstrip: Bool = false, rstrip: Bool = false) {
        let bytes = Array(text.utf8)
        guard let first = bytes.first else { return }
        startsToken[Int(first)] = true
        var node = 0
        for byte in bytes {
            if let child = nodes[node].children[byte] {
                node = Int(child)
            } else {
                nodes.append(Node())
                nodes[node].children[byte] = Int32(nodes.count - 1)
                node = nodes.count - 1
            }
        }
        nodes[node].tokenId = id
        nodes[node].needsParseSpecial = needsParseSpecial
        if lstrip { leftStripping.insert(id) }
        if rstrip { rightStripping.insert(id) }
    }

    /// Longest enabled token starting at `start`: its id and byte length.
    private func longestMatch(in bytes: UnsafeBufferPointer<UInt8>, at start: Int, parseSpecial: Bool) -> (Int32, Int)? {
        var node = 0
        var best: (Int32, Int)?
        var index = start
        while index < bytes.count, let child = nodes[node].children[bytes[index]] {
            node = Int(child)
            index += 1
            let candidate = nodes[node]
            if candidate.tokenId >= 0, parseSpecial || !candidate.needsParseSpecial {
                best = (candidate.tokenId, index - start)
            }
        }
        return best
    }

    /// Splits input into text fragments and matched tokens.
    func partition(_ bytes: UnsafeBufferPointer<UInt8>, parseSpecial: Bool) -> [Fragment] {
        guard !isEmpty else { return bytes.isEmpty ? [] : [.text(0..<bytes.count)] }
        var fragments: [Fragment] = []
        var textStart = 0
        var index = 0
        while index < bytes.count {
            guard startsToken[Int(bytes[index])],
                  let (id, length) = longestMatch(in: bytes, at: index, parseSpecial: parseSpecial) else {
                index += 1
                continue
            }
            var textEnd = index
            if leftStripping.contains(id) {
                while textEnd > textStart, Self.isASCIIWhitespace(bytes[textEnd - 1]) { textEnd -= 1 }
            }
            if textStart < textEnd { fragments.append(.text(textStart..<textEnd)) }
            fragments.append(.token(id))
            index += length
            if rightStripping.contains(id) {
                while index < bytes.count, Self.isASCIIWhitespace(bytes[index]) { index += 1 }
            }
            textStart = index
        }
        if textStart < bytes.count { fragments.append(.text(textStart..<bytes.count)) }
        return fragments
    }

    private static func isASCIIWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }
}
