import ModelFormats

/// Reads a family's `<arch>.*` hyperparameters from GGUF metadata with the checks every family
/// needs before anything is allocated from them: sizes are positive and below a ceiling, floats
/// are finite and positive, and the block count matches the blocks whose tensors the file holds.
/// Errors name the file and the metadata key.
struct GGUFHyperparameterReader {
    let file: GGUFFile
    let architecture: String

    /// Ceilings far above any real model (the largest vocabularies are ~2^18, widths ~2^15,
    /// contexts ~2^23) and far below what would overflow or exhaust memory when multiplied.
    static let maximumWidth = 1 << 20
    static let maximumVocabulary = 1 << 24
    static let maximumContext = 1 << 30

    var path: String { file.sourcePath }

    func error(_ key: String, _ why: String) -> FormatError {
        FormatError(file: path, field: "\(architecture).\(key)", why)
    }

    /// An integer as stored (no range check), or `value` when absent.
    func int(_ key: String, default value: Int? = nil) throws -> Int {
        if let v = file.metadata["\(architecture).\(key)"] {
            guard let i = v.asInt else { throw error(key, "expected an integer, got \(v)") }
            return i
        }
        if let value { return value }
        throw error(key, "missing")
    }

    /// A size: a positive integer no larger than `limit`.
    func size(_ key: String, default value: Int? = nil, atMost limit: Int = maximumWidth) throws -> Int {
        let n = try int(key, default: value)
        guard n > 0 else { throw error(key, "must be positive, got \(n)") }
        guard n <= limit else { throw error(key, "\(n) is larger than \(limit), the most this program accepts") }
        return n
    }

    /// A float as stored, or nil when absent.
    func float(_ key: String) throws -> Float? {
        guard let v = file.metadata["\(architecture).\(key)"] else { return nil }
        guard let f = v.asFloat else { throw error(key, "expected a number, got \(v)") }
        return f
    }

    /// A finite positive float (a norm epsilon, a RoPE base, a scaling factor), or `value` when absent.
    func positive(_ key: String, default value: Float) throws -> Float {
        guard let f = try float(key) else { return value }
        guard f.isFinite, f > 0 else { throw error(key, "must be a finite positive number, got \(f)") }
        return f
    }

    /// `block_count`, which must not exceed the blocks (`blk.<i>.`) the file has tensors for.
    func blockCount() throws -> Int {
        let declared = try size("block_count")
        var present = Set<Int>()
        for t in file.tensors where t.name.hasPrefix("blk.") {
            let index = t.name.dropFirst(4).prefix { $0 != "." }
            if let i = Int(index) { present.insert(i) }
        }
        guard declared <= present.count else {
            throw error("block_count", "\(declared) blocks declared, but the file holds tensors for \(present.count)")
        }
        return declared
    }
}
