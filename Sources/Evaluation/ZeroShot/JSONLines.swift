import Foundation
import TensorCore

/// A JSON Lines file (plain, or gzip-compressed when it starts with the gzip magic), every
/// non-blank line decoded on its own. Errors name the file and the 1-based line number.
enum JSONLines {
    struct Line: Sendable {
        var number: Int
        var range: Range<Int>
    }

    /// The file's text as bytes, inflated if it is gzip.
    static func read(path: String) throws -> [UInt8] {
        let raw = try FileBytes.read(path)
        guard raw.starts(with: [0x1F, 0x8B]) else { return raw }
        return try Zlib.inflate(raw[...], file: path, what: "gzip data")
    }

    /// The non-blank lines (a trailing "\r" is left to the JSON parser, which treats it as space).
    static func lines(_ bytes: [UInt8]) -> [Line] {
        var result: [Line] = []
        var start = 0, number = 1
        bytes.withUnsafeBufferPointer { b in
            for i in 0...b.count {
                guard i == b.count || b[i] == UInt8(ascii: "\n") else { continue }
                if b[start..<i].contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) {
                    result.append(Line(number: number, range: start..<i))
                }
                start = i + 1
                number += 1
            }
        }
        return result
    }

    /// Every line decoded as `T`, in order (in parallel: the task files are up to 100 MB of JSON).
    static func decode<T: Decodable & Sendable>(_ type: T.Type, bytes: [UInt8], lines: [Line],
                                                 file: String) throws(ZeroShotError) -> [T] {
        var decoded = [T?](repeating: nil, count: lines.count)
        var failures = [ZeroShotError?](repeating: nil, count: lines.count)
        decoded.withUnsafeMutableBufferPointer { out in
            failures.withUnsafeMutableBufferPointer { errors in
                let outBox = UncheckedSendable(out), errorBox = UncheckedSendable(errors)
                Parallel.forRanges(lines.count, minimumChunk: 512) { range in
                    let decoder = JSONDecoder()
                    for i in range {
                        let line = lines[i]
                        do {
                            outBox.value[i] = try decoder.decode(T.self, from: Data(bytes[line.range]))
                        } catch {
                            errorBox.value[i] = ZeroShotError(file: file, line: line.number, describe(error))
                            return  // the first failure of this chunk is the one reported
                        }
                    }
                }
            }
        }
        if let first = failures.lazy.compactMap({ $0 }).min(by: { ($0.line ?? 0) < ($1.line ?? 0) }) { throw first }
        return decoded.map { $0! }
    }

    /// A decoding error in words: which field, what was wrong.
    static func describe(_ error: any Error) -> String {
        func path(_ keys: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            let all = keys + (last.map { [$0] } ?? [])
            return all.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
                .replacingOccurrences(of: ".[", with: "[")
        }
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field '\(path(context.codingPath, key))'"
        case .typeMismatch(let type, let context):
            return "field '\(path(context.codingPath))': expected \(type)"
        case .valueNotFound(let type, let context):
            return "field '\(path(context.codingPath))': expected \(type), found null"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "not a valid JSON object (\(context.debugDescription))" }
            return "field '\(path(context.codingPath))': \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
