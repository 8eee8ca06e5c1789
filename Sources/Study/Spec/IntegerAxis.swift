import ModelFormats

/// An integer axis of a grid: `4`, `[8, 4, 3]`, or a range `"2..8"` (inclusive; descending is fine).
public struct IntegerAxis: Decodable, Sendable, Equatable {
    public var values: [Int]

    /// Most values one range expands to: far more than any grid runs, small enough to build.
    public static let maximumRangeLength = 10_000

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
                    debugDescription: "expected an integer, a list, or a range like \"2..8\", got \"\(MessageExcerpt.of(text))\""))
            }
            // Both ends may be anywhere in Int's range: the length is checked before anything is built.
            let (span, overflow) = max(a, b).subtractingReportingOverflow(min(a, b))
            guard !overflow, span < IntegerAxis.maximumRangeLength else {
                throw DecodingError.dataCorrupted(.init(codingPath: codingPath,
                    debugDescription: "range \"\(MessageExcerpt.of(text))\" has more than \(IntegerAxis.maximumRangeLength) values"))
            }
            return a <= b ? Array(a...b) : Array((b...a).reversed())
        }
    }
}

import Foundation
