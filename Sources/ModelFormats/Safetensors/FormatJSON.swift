import Foundation

/// Decodes JSON files (safetensors headers, index files, config.json) and turns every
/// `DecodingError` into a `FormatError` naming the file and the key path (`rope_scaling.factor`,
/// `eos_token_id[1]`).
enum FormatJSON {
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, file: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw formatError(error, file: file)
        }
    }

    /// Reads and decodes a JSON file; a file that cannot be read is a `FormatError` too.
    static func decode<T: Decodable>(_ type: T.Type, contentsOf path: String) throws -> T {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw FormatError(file: path, field: "file", "cannot read: \(error.localizedDescription)")
        }
        return try decode(type, from: data, file: path)
    }

    static func formatError(_ error: DecodingError, file: String) -> FormatError {
        switch error {
        case let .keyNotFound(key, context):
            return FormatError(file: file, field: keyPath(context.codingPath + [key]), "missing required key")
        case let .valueNotFound(type, context):
            return FormatError(file: file, field: keyPath(context.codingPath), "null where \(type) is required")
        case let .typeMismatch(type, context):
            return FormatError(file: file, field: keyPath(context.codingPath),
                               "wrong type, expected \(type): \(context.debugDescription)")
        case let .dataCorrupted(context):
            if context.codingPath.isEmpty {
                let detail = context.underlyingError.map { " (\(String(describing: $0)))" } ?? ""
                return FormatError(file: file, field: "JSON", "\(context.debugDescription)\(detail)")
            }
            return FormatError(file: file, field: keyPath(context.codingPath), context.debugDescription)
        @unknown default:
            return FormatError(file: file, field: "JSON", String(describing: error))
        }
    }

    /// `a.b[2].c`; the top level is "(root)".
    static func keyPath(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue, key.stringValue.hasPrefix("Index ") || key.stringValue == "\(index)" {
                text += "[\(index)]"
            } else {
                let name = MessageExcerpt.of(key.stringValue)
                text += text.isEmpty ? name : ".\(name)"
            }
        }
        return text.isEmpty ? "(root)" : text
    }
}

/// A coding key for JSON objects whose keys are data (tensor names, metadata keys).
struct DynamicCodingKey: CodingKey, Hashable {
    let stringValue: String
    let intValue: Int?
    init(_ string: String) { stringValue = string; intValue = nil }
    init?(stringValue: String) { self.init(stringValue) }
    init?(intValue: Int) { stringValue = "\(intValue)"; self.intValue = intValue }
}

/// JSONDecoder reports a fractional or out-of-range number where an `Int` is expected as "not valid
/// JSON" for the whole document, losing the key. These decode integers and name the key instead.
extension KeyedDecodingContainer {
    func decodeInteger(forKey key: Key) throws -> Int {
        try namingKey(key) { try decode(Int.self, forKey: key) }
    }

    func decodeIntegerIfPresent(forKey key: Key) throws -> Int? {
        try namingKey(key) { try decodeIfPresent(Int.self, forKey: key) }
    }

    func decodeIntegers(forKey key: Key) throws -> [Int] {
        try namingKey(key) { try decode([Int].self, forKey: key) }
    }

    private func namingKey<T>(_ key: Key, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DecodingError {
            throw error
        } catch {
            throw DecodingError.dataCorruptedError(forKey: key, in: self,
                                                   debugDescription: "expected an integer (\(error))")
        }
    }
}
