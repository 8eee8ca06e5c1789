/// The character classes the pre-tokenizer regexes distinguish: `\p{L}`, `\p{N}`, `\s`, and the rest.
enum ScalarClass: UInt8 {
    case letter, number, whitespace, other

    /// Class of any scalar: `\s` is the Unicode White_Space property, `\p{L}` the general categories
    /// Lu/Ll/Lt/Lm/Lo and `\p{N}` Nd/Nl/No (the same definitions the Oniguruma regexes of HF
    /// tokenizers and llama.cpp's tables use).
    static func of(_ scalar: Unicode.Scalar) -> ScalarClass {
        if scalar.isASCII { return asciiTable[Int(scalar.value)] }
        let properties = scalar.properties
        if properties.isWhitespace { return .whitespace }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return .other
        }
    }

    private static let asciiTable: [ScalarClass] = (0..<128).map { value in
        switch UInt8(value) {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): .letter
        case UInt8(ascii: "0")...UInt8(ascii: "9"): .number
        case 0x09...0x0D, 0x20: .whitespace
        default: .other
        }
    }
}
