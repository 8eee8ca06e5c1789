/// Strict UTF-8 validation (RFC 3629): rejects overlong forms, surrogates (U+D800…U+DFFF), code
/// points above U+10FFFF, stray continuation bytes and sequences cut off by the end of the input.
enum UTF8Validation {
    /// The byte offset where the first invalid sequence starts, or nil when all bytes are valid UTF-8.
    static func firstInvalidOffset(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { firstInvalidOffset($0) }
    }

    static func firstInvalidOffset(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let count = bytes.count
        var i = 0
        while i < count {
            let lead = bytes[i]
            if lead < 0x80 {
                i += 1
                continue
            }
            let length: Int
            var secondLow: UInt8 = 0x80, secondHigh: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; secondLow = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; secondHigh = 0x9F
            case 0xF0: length = 4; secondLow = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; secondHigh = 0x8F
            default: return i  // continuation byte without a lead, C0/C1 overlong leads, F5…FF
            }
            guard i + length <= count else { return i }
            let second = bytes[i + 1]
            guard second >= secondLow && second <= secondHigh else { return i }
            for k in 2..<length where bytes[i + k] & 0xC0 != 0x80 { return i }
            i += length
        }
        return nil
    }

    /// Decodes bytes that must be valid UTF-8, or throws naming the file and the offending offset.
    static func decode(_ bytes: [UInt8], file: String) throws(CorpusError) -> String {
        if let offset = firstInvalidOffset(bytes) {
            let shown = bytes[offset..<min(offset + 4, bytes.count)]
                .map { "0x" + String($0, radix: 16, uppercase: true) }.joined(separator: " ")
            throw CorpusError(file: file, "not valid UTF-8: invalid byte sequence at byte offset \(offset) (\(shown))")
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
