/// One fuzz target: a parser (and what is built from its result) fed with arbitrary bytes. A
/// target throws nothing and returns nothing: a parser may reject any input, but must never crash,
/// hang, leak, allocate by an unchecked count, or echo unbounded input into an error message.
struct FuzzTarget: Sendable {
    let name: String
    let summary: String
    let run: @Sendable (FuzzInput) -> Void
}

/// The bytes of one input (valid only during the call).
struct FuzzInput {
    let bytes: UnsafeBufferPointer<UInt8>
    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var count: Int { bytes.count }
    /// The bytes as UTF-8 text (invalid sequences become U+FFFD).
    var text: String { String(decoding: bytes, as: UTF8.self) }
}

enum FuzzTargets {
    static let all: [FuzzTarget] = [
        GGUFTarget.target, ModelMetadataTarget.target, SafetensorsTarget.target, SafetensorsIndexTarget.target,
        HFConfigTarget.target, TokenizerJSONTarget.target, StudyYAMLTarget.target, TaskJSONLTarget.target,
        RDSTarget.target,
    ]

    static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }

    /// The target of this process (set once by main before fuzzing starts).
    nonisolated(unsafe) static var selected: FuzzTarget?
}
