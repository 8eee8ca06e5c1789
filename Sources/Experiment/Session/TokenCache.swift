import Foundation
import TensorCore

/// Token ids of a text as one model's tokenizer encodes them, kept in a cache directory so other
/// processes (shards of a study, a rerun) skip the tokenization. A file is reused only when its
/// header names the same model (path, size, modification time) and the same text (FNV-1a of its
/// UTF-8 bytes and their count); anything else, or a damaged file, is recomputed and replaced.
/// File: "PTQLTOK1", UInt32 header length, JSON header, then the ids as little-endian Int32.
struct TokenCache {
    let directory: String
    let modelIdentity: String

    struct Header: Codable, Equatable {
        var model: String
        var text: String
        var count: Int
    }

    static let magic = Array("PTQLTOK1".utf8)

    static func fingerprint(_ text: String) -> String {
        var h = FNV1a()
        h.add(bytes: text.utf8)
        return h.hex + "-\(text.utf8.count)"
    }

    /// The cached ids of `text`, or `encode(text)` written to the cache.
    func tokens(of text: String, encode: (String) -> [Int32]) -> [Int32] {
        let textKey = Self.fingerprint(text)
        var h = FNV1a()
        h.add(bytes: (modelIdentity + "\u{0}" + textKey).utf8)
        let path = directory + "/tokens-\(h.hex).bin"
        if let data = FileManager.default.contents(atPath: path), let ids = Self.decode(data, model: modelIdentity, text: textKey) {
            return ids
        }
        let ids = encode(text)
        write(ids, header: Header(model: modelIdentity, text: textKey, count: ids.count), to: path)
        return ids
    }

    static func decode(_ data: Data, model: String, text: String) -> [Int32]? {
        guard data.count >= 12, Array(data.prefix(8)) == magic else { return nil }
        let length = Int(UInt32(littleEndian: data.subdata(in: 8..<12).withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }))
        guard 12 + length <= data.count,
              let header = try? JSONDecoder().decode(Header.self, from: data.subdata(in: 12..<(12 + length))),
              header.model == model, header.text == text, data.count == 12 + length + header.count * 4 else { return nil }
        return data.subdata(in: (12 + length)..<data.count).withUnsafeBytes { raw in
            (0..<header.count).map { Int32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self)) }
        }
    }

    /// Written to a temporary file and renamed into place; a cache that cannot be written is skipped.
    private func write(_ ids: [Int32], header: Header, to path: String) {
        guard let json = try? JSONEncoder().encode(header),
              (try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)) != nil else { return }
        var data = Data(Self.magic)
        withUnsafeBytes(of: UInt32(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        ids.map(\.littleEndian).withUnsafeBytes { data.append(contentsOf: $0) }
        let temporary = path + ".partial-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else { return }
        if rename(temporary, path) != 0 { try? FileManager.default.removeItem(atPath: temporary) }
    }
}
