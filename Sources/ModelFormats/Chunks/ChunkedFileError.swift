/// Why a chunked file could not be joined. The message names the asset and, for a missing chunk,
/// the chunk; for a wrong join, the expected and actual SHA-256.
public struct ChunkedFileError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Chunk `index` (0-based) of `count` is not a readable file at `path`.
        case missingChunk(index: Int, count: Int, path: String)
        /// The chunks, joined in order, do not hash to the pinned digest.
        case digestMismatch(expected: String, actual: String)
        /// Reading or writing failed.
        case io(path: String, reason: String)
    }

    /// The asset's name, e.g. "qwen2.5-coder-0.5b".
    public let asset: String
    public let kind: Kind
    /// What the user can do about it (e.g. "run `make setup` …"), appended to the message.
    public let remedy: String?

    public init(asset: String, kind: Kind, remedy: String? = nil) {
        self.asset = asset
        self.kind = kind
        self.remedy = remedy
    }

    public var description: String {
        let what: String
        switch kind {
        case let .missingChunk(index, count, path):
            what = "chunk \(index + 1) of \(count) is missing: \(path)"
        case let .digestMismatch(expected, actual):
            what = "the chunks joined in order have sha256 \(actual), expected \(expected): a chunk is corrupt, "
                + "truncated or out of order; no joined file was kept"
        case let .io(path, reason):
            what = "\(path): \(reason)"
        }
        return "\(asset): \(what)" + (remedy.map { "; \($0)" } ?? "")
    }
}
