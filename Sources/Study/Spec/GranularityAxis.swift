import Foundation
import ModelFormats

/// The weight granularities of a grid: `row`, `tensor`, `g128` (or just `128`), lists of them, and
/// doubling ranges `"g32..g1024"` (32, 64, …, 1024).
public struct GranularityAxis: Decodable, Sendable, Equatable {
    /// Spec fragments: `row`, `tensor`, `g<k>`.
    public var values: [String]

    public init(_ values: [String]) { self.values = values }

    public init(from decoder: Decoder) throws {
        let items = try OneOrMany<Item>(from: decoder).values
        values = items.flatMap(\.values)
    }

    struct Item: Decodable, Sendable {
        var values: [String]
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let k = try? container.decode(Int.self) { values = ["g\(k)"]; return }
            let text = try container.decode(String.self).trimmingCharacters(in: .whitespaces)
            values = try Self.parse(text, codingPath: decoder.codingPath)
        }

        static func parse(_ text: String, codingPath: [CodingKey]) throws -> [String] {
            func fail() -> DecodingError {
                .dataCorrupted(.init(codingPath: codingPath,
                                     debugDescription: "expected row, tensor, g<k>, or a doubling range like \"g32..g1024\", got \"\(MessageExcerpt.of(text))\""))
            }
            if text == "row" || text == "tensor" { return [text] }
            let parts = text.components(separatedBy: "..")
            func size(_ s: String) -> Int? {
                let t = s.trimmingCharacters(in: .whitespaces)
                return Int(t.hasPrefix("g") ? String(t.dropFirst()) : t)
            }
            if parts.count == 1, let k = size(parts[0]) { return ["g\(k)"] }
            guard parts.count == 2, let a = size(parts[0]), let b = size(parts[1]), a > 0, a <= b else { throw fail() }
            // At most 63 doublings; the one that would pass Int.max (or b) ends the range.
            var out: [String] = [], k = a
            while true {
                out.append("g\(k)")
                let (next, overflow) = k.multipliedReportingOverflow(by: 2)
                guard !overflow, next <= b else { return out }
                k = next
            }
        }
    }
}
