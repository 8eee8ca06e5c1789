/// Decoding of character references (`&name;`, `&#123;`, `&#x7B;`) in UTF-8 bytes, in one pass
/// (so `&amp;lt;` becomes `&lt;`, not `<`). Unknown names and invalid numbers stay as they are.
enum Entities {
    /// The five XML entities.
    static let xml: [String: String] = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'"]

    /// XML's entities plus the HTML ones that occur in wikitext. The spaces (`&nbsp;`, `&thinsp;`,
    /// `&ensp;`, `&emsp;`) become a plain space; zero-width ones become nothing.
    static let html: [String: String] = xml.merging([
        "nbsp": " ", "ensp": " ", "emsp": " ", "thinsp": " ", "zwj": "", "zwnj": "", "shy": "", "lrm": "", "rlm": "",
        "ndash": "\u{2013}", "mdash": "\u{2014}", "minus": "\u{2212}", "hellip": "\u{2026}", "bull": "\u{2022}",
        "middot": "\u{00B7}", "times": "\u{00D7}", "divide": "\u{00F7}", "plusmn": "\u{00B1}", "deg": "\u{00B0}",
        "prime": "\u{2032}", "Prime": "\u{2033}", "lsquo": "\u{2018}", "rsquo": "\u{2019}", "sbquo": "\u{201A}",
        "ldquo": "\u{201C}", "rdquo": "\u{201D}", "bdquo": "\u{201E}", "laquo": "\u{00AB}", "raquo": "\u{00BB}",
        "lsaquo": "\u{2039}", "rsaquo": "\u{203A}", "copy": "\u{00A9}", "reg": "\u{00AE}", "trade": "\u{2122}",
        "sect": "\u{00A7}", "para": "\u{00B6}", "dagger": "\u{2020}", "Dagger": "\u{2021}", "cent": "\u{00A2}",
        "pound": "\u{00A3}", "euro": "\u{20AC}", "yen": "\u{00A5}", "micro": "\u{00B5}", "frac12": "\u{00BD}",
        "frac14": "\u{00BC}", "frac34": "\u{00BE}", "sup1": "\u{00B9}", "sup2": "\u{00B2}", "sup3": "\u{00B3}",
        "larr": "\u{2190}", "rarr": "\u{2192}", "uarr": "\u{2191}", "darr": "\u{2193}", "harr": "\u{2194}",
        "le": "\u{2264}", "ge": "\u{2265}", "ne": "\u{2260}", "asymp": "\u{2248}", "equiv": "\u{2261}",
        "infin": "\u{221E}", "sum": "\u{2211}", "prod": "\u{220F}", "radic": "\u{221A}", "part": "\u{2202}",
        "int": "\u{222B}", "fnof": "\u{0192}", "iexcl": "\u{00A1}", "iquest": "\u{00BF}", "ordm": "\u{00BA}",
        "ordf": "\u{00AA}", "not": "\u{00AC}", "macr": "\u{00AF}", "acute": "\u{00B4}", "uml": "\u{00A8}",
        "cedil": "\u{00B8}", "oelig": "\u{0153}", "OElig": "\u{0152}", "szlig": "\u{00DF}", "aelig": "\u{00E6}",
        "AElig": "\u{00C6}", "eacute": "\u{00E9}", "Eacute": "\u{00C9}", "egrave": "\u{00E8}", "aacute": "\u{00E1}",
        "agrave": "\u{00E0}", "iacute": "\u{00ED}", "oacute": "\u{00F3}", "uacute": "\u{00FA}", "ouml": "\u{00F6}",
        "uuml": "\u{00FC}", "auml": "\u{00E4}", "Ouml": "\u{00D6}", "Uuml": "\u{00DC}", "Auml": "\u{00C4}",
        "ccedil": "\u{00E7}", "ntilde": "\u{00F1}",
    ], uniquingKeysWith: { first, _ in first }).merging(greekLetters, uniquingKeysWith: { first, _ in first })

    private static let greekLetters: [String: String] = {
        let names = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda",
                     "mu", "nu", "xi", "omicron", "pi", "rho", "sigmaf", "sigma", "tau", "upsilon", "phi", "chi",
                     "psi", "omega"]
        var table: [String: String] = [:]
        for (index, name) in names.enumerated() {
            // Lower case α (U+03B1) … ω (U+03C9) in order, with final sigma ς at U+03C2.
            if let lower = Unicode.Scalar(0x03B1 + UInt32(index)) { table[name] = String(Character(lower)) }
            // Upper case Α (U+0391) … Ω (U+03A9); there is no capital final sigma (U+03A2 is unassigned).
            if name != "sigmaf", let upper = Unicode.Scalar(0x0391 + UInt32(index)) {
                table[name.prefix(1).uppercased() + name.dropFirst()] = String(Character(upper))
            }
        }
        return table
    }()

    /// Replaces the references whose names are in `table` (and all valid numeric ones).
    static func decode(_ input: [UInt8], table: [String: String]) -> [UInt8] {
        guard input.contains(UInt8(ascii: "&")) else { return input }
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var i = 0
        let count = input.count
        while i < count {
            let byte = input[i]
            guard byte == UInt8(ascii: "&") else {
                output.append(byte)
                i += 1
                continue
            }
            var end = i + 1
            while end < count, end - i <= 32, input[end] != UInt8(ascii: ";"), isNameByte(input[end]) { end += 1 }
            if end < count, end > i + 1, input[end] == UInt8(ascii: ";"),
               let replacement = replacement(for: input[(i + 1)..<end], table: table) {
                output.append(contentsOf: replacement.utf8)
                i = end + 1
            } else {
                output.append(byte)
                i += 1
            }
        }
        return output
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "#")
    }

    private static func replacement(for name: ArraySlice<UInt8>, table: [String: String]) -> String? {
        guard name.first == UInt8(ascii: "#") else {
            return table[String(decoding: name, as: UTF8.self)]
        }
        var digits = name.dropFirst()
        var radix = 10
        if let first = digits.first, first == UInt8(ascii: "x") || first == UInt8(ascii: "X") {
            radix = 16
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.count <= 8,
              let value = UInt32(String(decoding: digits, as: UTF8.self), radix: radix),
              value != 0, let scalar = Unicode.Scalar(value) else { return nil }
        return String(Character(scalar))
    }
}
