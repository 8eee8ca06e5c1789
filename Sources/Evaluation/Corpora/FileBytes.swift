import TensorCore

/// Reads a whole file into memory, turning any open/read failure into a `CorpusError` naming it.
enum FileBytes {
    static func read(_ path: String) throws(CorpusError) -> [UInt8] {
        do {
            let file = try MappedFile(path: path)
            return Array(file.bytes(0, file.count))
        } catch let error as FileAccessError {
            throw CorpusError(file: path, error.reason)
        } catch {
            throw CorpusError(file: path, "cannot read (\(error))")
        }
    }
}
