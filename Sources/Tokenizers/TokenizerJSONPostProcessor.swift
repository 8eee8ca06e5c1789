import Foundation
import ModelFormats

/// Reads the tokens a tokenizer.json `post_processor` adds around a single sequence
/// (TemplateProcessing, Roberta/Bert processing, ByteLevel, or a Sequence of these).
struct TokenizerJSONPostProcessor {
    let path: String

    struct Additions {
        var prefix: [Int32] = []
        var suffix: [Int32] = []
    }

    private func error(_ field: String, _ message: String) -> FormatError {
        FormatError(file: path, field: field, message)
    }

    func additions(_ value: Any?, byName tokens: [String: Int]) throws -> Additions {
        try additions(value, field: "post_processor", tokens)
    }

    private func additions(_ value: Any?, field: String, _ tokens: [String: Int]) throws -> Additions {
        guard let value, !(value is NSNull) else { return Additions() }
        guard let object = value as? [String: Any], let type = object["type"] as? String else {
            throw error(field, "expected an object with a 'type'")
        }
        switch type {
        case "ByteLevel":
            return Additions()
        case "Sequence":
            var result = Additions()
            for (index, part) in (object["processors"] as? [Any] ?? []).enumerated() {
                let more = try additions(part, field: "\(field).processors[\(index)]", tokens)
                result.prefix += more.prefix
                result.suffix = more.suffix + result.suffix
            }
            return result
        case "TemplateProcessing":
            return try template(object, field: field)
        case "RobertaProcessing", "BertProcessing":
            func id(_ key: String) throws -> Int32 {
                guard let pair = object[key] as? [Any], pair.count == 2,
                      let id = (pair[1] as? Int).flatMap({ Int32(exactly: $0) }) else {
                    throw error("\(field).\(MessageExcerpt.of(key))", "expected [token, id]")
                }
                return id
            }
            return Additions(prefix: [try id("cls")], suffix: [try id("sep")])
        default:
            throw error(field, "post-processor '\(MessageExcerpt.of(type))' is not supported")
        }
    }

    /// `single: [{SpecialToken: {id: "<s>"}}, {Sequence: {id: "A"}}, …]` with ids from `special_tokens`.
    private func template(_ object: [String: Any], field: String) throws -> Additions {
        guard let items = object["single"] as? [[String: Any]] else {
            throw error("\(field).single", "expected an array of template pieces")
        }
        let specials = object["special_tokens"] as? [String: Any] ?? [:]
        var result = Additions()
        var seenSequence = false
        for (index, item) in items.enumerated() {
            if item["Sequence"] != nil {
                seenSequence = true
                continue
            }
            guard let name = (item["SpecialToken"] as? [String: Any])?["id"] as? String else {
                throw error("\(field).single[\(index)]", "expected a SpecialToken or Sequence piece")
            }
            guard let ids = (specials[name] as? [String: Any])?["ids"] as? [Int],
                  case let converted = ids.compactMap({ Int32(exactly: $0) }), converted.count == ids.count else {
                throw error("\(field).special_tokens", "no valid ids for template token '\(MessageExcerpt.of(name))'")
            }
            if seenSequence { result.suffix += converted } else { result.prefix += converted }
        }
        return result
    }
}
