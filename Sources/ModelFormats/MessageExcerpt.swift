/// Names and values quoted from a file into an error message, cut short: a corrupt length (a
/// tensor name of 73 KB read from the bytes that follow it) must not turn one message into
/// kilobytes of raw bytes.
public enum MessageExcerpt {
    /// Characters of a quoted name kept in a message.
    public static let maximumCharacters = 64

    /// `text` unchanged when short; else its first `limit` characters, "…" and its size.
    public static func of(_ text: String, limit: Int = maximumCharacters) -> String {
        var end = text.startIndex
        for _ in 0..<limit {
            guard end < text.endIndex else { return text }
            end = text.index(after: end)
        }
        guard end < text.endIndex else { return text }
        return String(text[..<end]) + "… (\(text.utf8.count) bytes)"
    }
}
