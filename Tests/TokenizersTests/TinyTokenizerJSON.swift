import Foundation

/// Builds small tokenizer.json documents for loader tests: the 256 byte tokens (id = byte value),
/// five merges and three added tokens.
enum TinyTokenizerJSON {
    /// GPT-2's byte → vocabulary-character mapping (written independently of the library's).
    static let byteCharacters: [String] = {
        let printable = Set(Array(0x21...0x7E) + Array(0xA1...0xAC) + Array(0xAE...0xFF))
        var extra = 0
        return (0..<256).map { byte in
            if printable.contains(byte) { return String(UnicodeScalar(UInt8(byte))) }
            defer { extra += 1 }
            return String(Character(Unicode.Scalar(UInt32(256 + extra)) ?? " "))
        }
    }()

    static let merges = [("h", "e"), ("l", "l"), ("he", "ll"), ("hell", "o"), ("Ġ", "w")]
    static let hello: Int32 = 259
    static let spaceW: Int32 = 260
    static let bos: Int32 = 261
    static let eos: Int32 = 262
    static let user: Int32 = 263

    static var byteLevel: [String: Any] { ["type": "ByteLevel", "add_prefix_space": false, "use_regex": true] }

    /// The document as a dictionary, to be modified by tests before `text(_:)`.
    static func document(stringMerges: Bool = false) -> [String: Any] {
        var vocab: [String: Int] = [:]
        for (byte, character) in byteCharacters.enumerated() { vocab[character] = byte }
        for (index, (left, right)) in merges.enumerated() { vocab[left + right] = 256 + index }
        vocab["<s>"] = Int(bos)
        vocab["</s>"] = Int(eos)
        let added: [[String: Any]] = [
            ["id": Int(bos), "content": "<s>", "special": true, "lstrip": false, "rstrip": false],
            ["id": Int(eos), "content": "</s>", "special": true, "lstrip": false, "rstrip": false],
            ["id": Int(user), "content": "[USER]", "special": false, "lstrip": false, "rstrip": true],
        ]
        let mergeList: [Any] = merges.map { stringMerges ? "\($0.0) \($0.1)" as Any : [$0.0, $0.1] as Any }
        return [
            "version": "1.0",
            "added_tokens": added,
            "normalizer": NSNull(),
            "pre_tokenizer": byteLevel,
            "post_processor": [
                "type": "TemplateProcessing",
                "single": [["SpecialToken": ["id": "<s>", "type_id": 0]], ["Sequence": ["id": "A", "type_id": 0]],
                           ["SpecialToken": ["id": "</s>", "type_id": 0]]],
                "special_tokens": ["<s>": ["id": "<s>", "ids": [Int(bos)], "tokens": ["<s>"]],
                                   "</s>": ["id": "</s>", "ids": [Int(eos)], "tokens": ["</s>"]]],
            ] as [String: Any],
            "decoder": byteLevel,
            "model": ["type": "BPE", "vocab": vocab, "merges": mergeList, "ignore_merges": false] as [String: Any],
        ]
    }

    static func text(_ document: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: document), as: UTF8.self)
    }

    /// A `Sequence[Split(regex), ByteLevel(use_regex: false)]` pre-tokenizer.
    static func splitPreTokenizer(_ regex: String) -> [String: Any] {
        [
            "type": "Sequence",
            "pretokenizers": [
                ["type": "Split", "pattern": ["Regex": regex], "behavior": "Isolated", "invert": false] as [String: Any],
                ["type": "ByteLevel", "add_prefix_space": false, "use_regex": false],
            ],
        ]
    }
}
