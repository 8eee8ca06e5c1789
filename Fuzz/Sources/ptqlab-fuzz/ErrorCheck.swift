/// The one check a harness makes on a rejected input: the error's message is bounded. Parsers
/// quote names from the file (tensor names, keys, tokens); a corrupt length must not make them
/// echo kilobytes of raw bytes into a message (it crashes the run, so libFuzzer saves the input).
enum ErrorCheck {
    static let maximumMessageBytes = 1024

    /// Runs `body`; any error it throws must describe itself in at most `maximumMessageBytes` bytes.
    @discardableResult
    static func attempt<T>(_ what: String, _ body: () throws -> T) -> T? {
        do {
            return try body()
        } catch {
            let message = String(describing: error)
            if message.utf8.count > maximumMessageBytes {
                fatalError("\(what): error message of \(message.utf8.count) bytes (at most \(maximumMessageBytes)): "
                    + String(message.prefix(200)) + "…")
            }
            return nil
        }
    }
}
