/// GPT-2's reversible byte ↔ Unicode mapping used by byte-level BPE vocabularies.
///
/// Every byte 0...255 is given a printable scalar: the printable Latin-1 bytes (`!`…`~`, `¡`…`¬`,
/// `®`…`ÿ`) map to themselves, the remaining 68 bytes map to U+0100, U+0101, … in byte order.
/// Vocabulary strings are sequences of these scalars; the tokenizer works on the raw bytes.
enum ByteLevel {
    /// `scalarForByte[b]` is the scalar that stands for byte `b` in vocabulary strings.
    static let scalarForByte: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            if isPrintable(byte) {
                table[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                table[byte] = Unicode.Scalar(next) ?? " "
                next += 1
            }
        }
        return table
    }()

    /// Inverse of `scalarForByte`, indexed by scalar value (all mapped scalars are below 0x144).
    private static let byteForScalarTable: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x200)
        for (byte, scalar) in scalarForByte.enumerated() {
            table[Int(scalar.value)] = Int16(byte)
        }
        return table
    }()

    private static func isPrintable(_ byte: Int) -> Bool {
        (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
    }

    /// The byte a vocabulary scalar stands for, or nil if the scalar is not part of the mapping.
    static func byte(for scalar: Unicode.Scalar) -> UInt8? {
        let value = Int(scalar.value)
        guard value < byteForScalarTable.count else { return nil }
        let byte = byteForScalarTable[value]
        return byte < 0 ? nil : UInt8(byte)
    }

    /// Raw bytes of a byte-level vocabulary string, or nil if it contains an unmapped scalar.
    static func decode(_ token: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(token.unicodeScalars.count)
        for scalar in token.unicodeScalars {
            guard let byte = byte(for: scalar) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }

    /// The byte-level vocabulary string for raw bytes.
    static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var text = String.UnicodeScalarView()
        for byte in bytes { text.append(scalarForByte[Int(byte)]) }
        return String(text)
    }
}
