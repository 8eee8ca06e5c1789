/// The bytes each token decodes to, stored contiguously: byte-level strings mapped back to raw
/// bytes for normal tokens, raw UTF-8 text for special/added tokens, one byte for `<0xXX>` tokens.
struct TokenTable: Sendable {
    private let bytes: [UInt8]
    private let starts: [Int]

    init(tokens: [String], kinds: [TokenKind]) {
        var bytes: [UInt8] = []
        var starts = [0]
        starts.reserveCapacity(tokens.count + 1)
        for (id, token) in tokens.enumerated() {
            switch kinds[id] {
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

    /// `<0xAB>` → 0xAB.
    private static func parseByteToken(_ token: String) -> UInt8? {
        let scalars = Array(token.unicodeScalars)
        guard scalars.count == 6, token.hasPrefix("<0x"), token.hasSuffix(">") else { return nil }
        return UInt8(String(String.UnicodeScalarView(scalars[3..<5])), radix: 16)
    }
}
