/// Read access to one range of scalar codes (see `ScalarCodes`) for the hand-written splitters.
///
/// Positions at or past `end` behave like the end of the input, which is what regex lookahead
/// sees when a splitter runs on a sub-range (as after the digit split of `smollm`).
struct SplitScanner {
    let codes: UnsafeBufferPointer<UInt8>
    let end: Int

    @inline(__always)
    func code(_ position: Int) -> UInt8? { position < end ? codes[position] : nil }

    @inline(__always)
    func isClass(_ position: Int, _ scalarClass: ScalarClass) -> Bool {
        position < end && ScalarCodes.scalarClass(of: codes[position]) == scalarClass
    }

    @inline(__always)
    func isASCII(_ position: Int, _ character: Unicode.Scalar) -> Bool {
        position < end && codes[position] == UInt8(character.value)
    }

    /// First position at or after `position` whose class is not `scalarClass`.
    @inline(__always)
    func skip(_ scalarClass: ScalarClass, from position: Int) -> Int {
        var index = position
        while isClass(index, scalarClass) { index += 1 }
        return index
    }

    /// Length of `'s|'t|'re|'ve|'m|'ll|'d` starting at `position` (0 when there is none).
    func contractionLength(at position: Int, caseInsensitive: Bool) -> Int {
        guard isASCII(position, "'"), let first = letter(position + 1, caseInsensitive) else { return 0 }
        switch first {
        case "s", "t", "m", "d":
            return 2
        case "r", "v":
            return letter(position + 2, caseInsensitive) == "e" ? 3 : 0
        case "l":
            return letter(position + 2, caseInsensitive) == "l" ? 3 : 0
        default:
            return 0
        }
    }

    private func letter(_ position: Int, _ caseInsensitive: Bool) -> Unicode.Scalar? {
        guard let code = code(position), code < 0x80 else { return nil }
        let isUpper = code >= UInt8(ascii: "A") && code <= UInt8(ascii: "Z")
        return Unicode.Scalar(caseInsensitive && isUpper ? code | 0x20 : code)
    }

    /// End of `\s+(?!\S)|\s+` starting at whitespace `position`: the whole run when it reaches the
    /// end of the input or is a single scalar, otherwise all but its last scalar (which then joins
    /// the following word).
    func whitespaceEnd(from position: Int) -> Int {
        let runEnd = skip(.whitespace, from: position)
        return runEnd - position > 1 && runEnd < end ? runEnd - 1 : runEnd
    }
}
