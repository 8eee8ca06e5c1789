/// An integer axis of a grid: `4`, `[8, 4, 3]`, or a range `"2..8"` (inclusive; descending is fine).
public struct IntegerAxis: Decodable, Sendable, Equatable {
    public var values: [Int]

    public init(_ values: [Int]) { self.values = values }

    public init(from decoder: Decoder) throws {
        let items = try OneOrMany<IntegerOrRange>(from: decoder).values
        values = items.flatMap(\.values)
    }

    /// `4` or `"2..8"`.
    struct IntegerOrRange: Decodable, Sendable {
        var values: [Int]
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Int.self) { values = [value]; return }
            let text = try container.decode(String.self)
            values = try Self.parseRange(text, codingPath: decoder.codingPath)
        }

        static func parseRange(_ text: String, codingPath: [CodingKey]) throws -> [Int] {
            let parts = text.components(separatedBy: "..")
            guard parts.count == 2, let a = Int(parts[0].trimmingCharacters(in: .whitespaces)),
                  let b = Int(parts[1].trimmingCharacters(in: .whitespaces)) else {
                throw DecodingError.dataCorrupted(.init(codingPath: codingPath,
                    debugDescription: "expected an integer, a list, or a range like \"2..8\", got \"\(text)\""))
            }
            return a <= b ? Array(a...b) : Array((b...a).reversed())
        }
    }
}

import Foundation
