/// What a vocabulary entry is, following GGUF `tokenizer.ggml.token_type` (and HF added tokens).
public enum TokenKind: UInt8, Sendable {
    /// An ordinary BPE token, stored in byte-level form.
    case normal
    /// `<unk>`-style token: raw text, matched in input only when parsing specials.
    case unknown
    /// Control token (BOS, EOS, chat markers; HF added tokens with `special: true`): raw text,
    /// matched in input only when parsing specials, dropped by `decode(skipSpecial: true)`.
    case control
    /// User-defined token (HF added tokens with `special: false`): raw text, always matched in input.
    case userDefined
    /// Unused slot: never produced, decodes to nothing.
    case unused
    /// Byte token written `<0xXX>`.
    case byte

    /// GGUF token type codes: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte.
    init(ggufTokenType: Int) {
        switch ggufTokenType {
        case 2: self = .unknown
        case 3: self = .control
        case 4: self = .userDefined
        case 5: self = .unused
        case 6: self = .byte
        default: self = .normal
        }
    }

    /// Whether the token's text is matched in input before pre-tokenization.
    var isMatchedInText: Bool { self == .control || self == .unknown || self == .userDefined }

    /// Whether matching it in input requires `parseSpecial` (as in llama.cpp).
    var needsParseSpecial: Bool { self == .control || self == .unknown }
}
