/// One row of the family table (`ModelFamilies.all`): the architectures one code path runs, the
/// names files give them (GGUF `general.architecture`, config.json `model_type`), how to build and
/// describe them from either kind of file, and how they are named when exported.
public struct ModelFamily: Sendable {
    /// One architecture the family's code runs, under every name it goes by.
    public struct Member: Sendable {
        /// What its models report (`CausalLanguageModel.architecture`) and `inspect` shows.
        public let architecture: String
        /// GGUF `general.architecture`; nil when the family is not read from GGUF files.
        public let ggufArchitecture: String?
        /// config.json `model_type`: read on load, written on export.
        public let modelType: String
        /// transformers' class for config.json `architectures`, written when a config is derived.
        public let hfClass: String
        /// The family line of `ptqlab inspect`, e.g. "Qwen2 (LlamaModel, q/k/v biases)".
        public let summary: String
        /// How llama.cpp's converter wrote this architecture's GGUF files.
        public let ggufQuirks: GGUFQuirks

        /// A member; `gguf` is its `general.architecture` when GGUF files of it are read.
        public init(_ architecture: String, gguf: String? = nil, modelType: String, hfClass: String, summary: String,
                    ggufQuirks: GGUFQuirks = []) {
            self.architecture = architecture
            self.ggufArchitecture = gguf
            self.modelType = modelType
            self.hfClass = hfClass
            self.summary = summary
            self.ggufQuirks = ggufQuirks
        }
    }

    /// Conventions of llama.cpp's converter that differ between architectures of one code path.
    public struct GGUFQuirks: OptionSet, Sendable {
        public let rawValue: Int
        /// An option set from its raw bits.
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// Q and K rows are stored permuted so that RoPE pairs are adjacent (undone on load, redone on export).
        public static let permutedQK = GGUFQuirks(rawValue: 1 << 0)
        /// `<arch>.attention.sliding_window` applies to every layer.
        public static let slidingWindow = GGUFQuirks(rawValue: 1 << 1)
    }

    /// The family's name, e.g. "Llama".
    public let name: String
    /// Its architectures; the first is the one a single-architecture family's models report.
    public let members: [Member]
    /// Reading its GGUF files; nil when it has no GGUF reader.
    public let gguf: GGUFRoute?
    /// Reading its Hugging Face checkpoints.
    public let hf: HFRoute

    /// A row of the table.
    public init(name: String, members: [Member], gguf: GGUFRoute?, hf: HFRoute) {
        precondition(!members.isEmpty, "a family runs at least one architecture")
        self.name = name
        self.members = members
        self.gguf = gguf
        self.hf = hf
    }

    /// The architecture of the first member: what a single-architecture family's models report.
    public var architecture: String { members[0].architecture }
}
