import Tokenizers

/// What every target that builds a tokenizer does with it: encode and decode a fixed text that
/// has ASCII, accents, CJK, an emoji, digits, whitespace runs and special-token look-alikes.
enum TokenizerProbe {
    static let text = "Hello world! It's 2024:  naïve café — 東京 🙂\n\t<s></s><|endoftext|><bos> 12345 x"

    static func exercise(_ tokenizer: Tokenizer) {
        for (addSpecial, parseSpecial) in [(true, false), (false, true)] {
            let ids = tokenizer.encode(text, addSpecial: addSpecial, parseSpecial: parseSpecial)
            _ = tokenizer.decode(ids)
            _ = tokenizer.decodeBytes(ids, skipSpecial: true)
            for id in ids.prefix(4) { _ = tokenizer.tokenString(id); _ = tokenizer.tokenKind(id) }
        }
        _ = tokenizer.encode("", addSpecial: true)
    }
}
