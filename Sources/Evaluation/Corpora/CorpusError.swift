/// A problem loading a corpus or a user's text file. Names the file when there is one (a corpus
/// asset, a `--text FILE`) and says what is wrong with it, so a user can act on it.
public struct CorpusError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file the problem is about, or nil when it is not about a file (e.g. an unknown corpus name).
    public let file: String?
    public let message: String

    public init(file: String?, _ message: String) {
        self.file = file
        self.message = message
    }

    public var description: String {
        guard let file else { return message }
        return "\(file): \(message)"
    }
}
