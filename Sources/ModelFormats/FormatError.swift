/// A problem with an input file: names the file, the field (tensor, metadata key, JSON key, byte
/// offset …) and what is wrong, so a user can act on it.
public struct FormatError: Error, CustomStringConvertible, Sendable, Equatable {
    public let file: String
    public let field: String
    public let message: String

    public init(file: String, field: String, _ message: String) {
        self.file = file
        self.field = field
        self.message = message
    }

    public var description: String { "\(file): \(field): \(message)" }
}
