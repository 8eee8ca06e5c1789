/// The bytes each token decodes to, stored contiguously: byte-level strings mapped back to raw
/// bytes for normal tokens (SentencePiece: ▁ back to a space), raw UTF-8 text for special/added
/// tokens, one byte for `<0xXX>` tokens.
struct TokenTable: Sendable {
    private let bytes: [UInt8]
    private let starts: [Int]

    init(tokens: [String], kinds: [TokenKind], spacesAsMarker: Bool = false) {
        var bytes: [UInt8] = []
        var starts = [0]
        starts.reserveCapacity(tokens.count + 1)
        for (id, token) in tokens.enumerated() {
            switch kinds[id] {
            case .normal where spacesAsMarker:
                bytes.append(contentsOf: Self.unescapingSpaces(token))
            case .normal:
                bytes.append(contentsOf: ByteLevel.decode(token) ?? Array(token.utf8))
            case .control, .unknown, .userDefined:
                bytes.append(contentsOf: token.utf8)
            case .byte:
                if let byte = Self.parseByteToken(token) { bytes.append(byte) }
            case .unused:
                break
            }
            starts.append(bytes.count)
        }
        self.bytes = bytes
        self.starts = starts
    }

    var count: Int { starts.count - 1 }

    func append(_ id: Int, to output: inout [UInt8]) {
        output.append(contentsOf: bytes[starts[id]..<starts[id + 1]])
    }

    /// UTF-8 of a SentencePiece piece with ▁ (E2 96 81) written as a space.
    private static func unescapingSpaces(_ token: String) -> [UInt8] {
        let utf8 = Array(token.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        var i = 0
        while i < utf8.count {
            if i + 2 < utf8.count && utf8[i] == 0xE2 && utf8[i + 1] == 0x96 && utf8[i + 2] == 0x81 {
                out.append(0x20)
                i += 3
            } else {
                out.append(utf8[i])
                i += 1
            }
        }
        return out
    }

    /// `<0xAB>` → 0xAB.
    private static func parseByteToken(_ token: String) -> UInt8? {
        let scalars = Array(token.unicodeScalars)
        guard scalars.count == 6, token.hasPrefix("<0x"), token.hasSuffix(">") else { return nil }
        return UInt8(String(String.UnicodeScalarView(scalars[3..<5])), radix: 16)
    }
}
