/// A problem with a zero-shot task: an unknown name, a missing or malformed task file, a request
/// that cannot be scored. Names the file and the line when there is one, so a user can act on it.
public struct ZeroShotError: Error, CustomStringConvertible, Sendable, Equatable {
    public let file: String?
    /// 1-based line of `file` (of the decompressed text for a .gz file).
    public let line: Int?
    public let message: String

    public init(file: String? = nil, line: Int? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        switch (file, line) {
        case let (file?, line?): "\(file): line \(line): \(message)"
        case let (file?, nil): "\(file): \(message)"
        default: message
        }
    }
}
