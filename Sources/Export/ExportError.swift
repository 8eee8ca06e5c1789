/// Why a quantized model cannot be written in the requested format.
public struct ExportError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
