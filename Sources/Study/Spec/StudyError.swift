/// A study file, grid or results database that cannot be used, with the file and field it concerns.
public struct StudyError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
