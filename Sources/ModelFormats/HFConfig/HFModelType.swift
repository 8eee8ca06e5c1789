import Foundation

/// The `model_type` of a Hugging Face config.json, read first so the loader can pick the config
/// type (and architecture) that decodes the rest.
public struct HFModelType: Decodable, Sendable {
    public let modelType: String

    enum CodingKeys: String, CodingKey { case modelType = "model_type" }

    /// Reads `model_type` from a config.json; a missing key or unreadable file names the file.
    public static func read(contentsOf path: String) throws -> String {
        try FormatJSON.decode(HFModelType.self, contentsOf: path).modelType
    }

    /// Decodes a whole config.json as `T`, errors naming the file and the key.
    public static func decode<T: Decodable>(_ type: T.Type, contentsOf path: String) throws -> T {
        try FormatJSON.decode(type, contentsOf: path)
    }
}

/// Checks shared by the LayerNorm-family configs (OPT, BLOOM, GPT-2, GPT-NeoX).
extension KeyedDecodingContainer {
    func positiveInteger(_ key: Key, default value: Int? = nil) throws -> Int {
        let decoded: Int
        if let value {
            decoded = try decodeIntegerIfPresent(forKey: key) ?? value
        } else {
            decoded = try decodeInteger(forKey: key)
        }
        guard decoded > 0 else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "must be positive, is \(decoded)")
        }
        return decoded
    }

    func positiveNumber(_ key: Key, default value: Double) throws -> Double {
        let decoded = try decodeIfPresent(Double.self, forKey: key) ?? value
        guard decoded > 0, decoded.isFinite else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "must be positive, is \(decoded)")
        }
        return decoded
    }

    /// `hidden` split into `heads` heads: the head size, or an error naming `key`.
    func headSize(hidden: Int, heads: Int, key: Key) throws -> Int {
        guard hidden % heads == 0 else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self,
                                                   debugDescription: "\(heads) heads do not divide the hidden size \(hidden)")
        }
        return hidden / heads
    }
}
