/// Small helpers for scanning UTF-8 byte arrays (all markup delimiters are ASCII, so byte-level
/// scanning never splits a multi-byte character).
enum ByteSearch {
    /// The first index ≥ `start` (and < `end`) where `needle` occurs.
    static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int, to end: Int? = nil) -> Int? {
        let limit = (end ?? bytes.count) - needle.count
        guard let first = needle.first, start <= limit else { return nil }
        var i = start
        while i <= limit {
            if bytes[i] == first {
                var k = 1
                while k < needle.count && bytes[i + k] == needle[k] { k += 1 }
                if k == needle.count { return i }
            }
            i += 1
        }
        return nil
    }

    /// Whether `bytes` at `index` start with `prefix`, comparing ASCII letters case-insensitively.
    static func hasPrefix(_ prefix: [UInt8], in bytes: [UInt8], at index: Int, ignoringCase: Bool = false) -> Bool {
        guard index >= 0, index + prefix.count <= bytes.count else { return false }
        for k in 0..<prefix.count {
            let a = bytes[index + k], b = prefix[k]
            if a == b { continue }
            if ignoringCase && lowercased(a) == lowercased(b) { continue }
            return false
        }
        return true
    }

    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
    }

    static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    /// `bytes` split at "\n" (a trailing newline gives a final empty line).
    static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    }

    /// `slice` without leading and trailing spaces, tabs and carriage returns.
    static func trimmed(_ slice: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var start = slice.startIndex, end = slice.endIndex
        while start < end && isSpace(slice[start]) { start += 1 }
        while end > start && isSpace(slice[end - 1]) { end -= 1 }
        return slice[start..<end]
    }
}
