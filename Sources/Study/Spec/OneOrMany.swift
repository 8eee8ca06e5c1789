/// A YAML value that may be written as one item or as a list (`bits: 4` or `bits: [4, 3]`).
public struct OneOrMany<Element: Decodable & Sendable>: Decodable, Sendable {
    public var values: [Element]

    public init(_ values: [Element]) { self.values = values }

    public init(from decoder: Decoder) throws {
        if let list = try? [Element](from: decoder) {
            values = list
        } else {
            values = [try Element(from: decoder)]
        }
    }
}
