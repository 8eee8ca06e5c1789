/// A text segment decoded into one code per Unicode scalar, the form the splitters scan.
///
/// `codes[i]` is the scalar value itself for ASCII scalars (so scanners can test for `'`, `\r`, …)
/// and `0x80 + class` for every other scalar. `byteOffsets[i]` is where scalar `i` starts in the
/// segment's UTF-8 bytes; a final entry holds the byte count.
struct ScalarCodes {
    private(set) var codes: [UInt8] = []
    private(set) var byteOffsets: [Int] = []

    static let nonASCIIBase: UInt8 = 0x80

    /// Class of a code produced by `decode`.
    @inline(__always)
    static func scalarClass(of code: UInt8) -> ScalarClass { classOfCode[Int(code)] }

    private static let classOfCode: [ScalarClass] = (0..<256).map { code in
        if code < 0x80 { return ScalarClass.of(Unicode.Scalar(UInt8(code))) }
        return ScalarClass(rawValue: UInt8(code) &- nonASCIIBase) ?? .other
    }

    /// Decodes valid UTF-8 (segments always come from a Swift `String`, so they are valid).
    mutating func decode(_ bytes: UnsafeBufferPointer<UInt8>) {
        codes.removeAll(keepingCapacity: true)
        byteOffsets.removeAll(keepingCapacity: true)
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            byteOffsets.append(index)
            if lead < 0x80 {
                codes.append(lead)
                index += 1
                continue
            }
            var value: UInt32
            var length: Int
            if lead >= 0xF0 {
                value = UInt32(lead & 0x07); length = 4
            } else if lead >= 0xE0 {
                value = UInt32(lead & 0x0F); length = 3
            } else {
                value = UInt32(lead & 0x1F); length = 2
            }
            let end = min(index + length, count)
            var next = index + 1
            while next < end {
                value = (value << 6) | UInt32(bytes[next] & 0x3F)
                next += 1
            }
            let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
            codes.append(Self.nonASCIIBase + ScalarClass.of(scalar).rawValue)
            index = end
        }
        byteOffsets.append(count)
    }
}
