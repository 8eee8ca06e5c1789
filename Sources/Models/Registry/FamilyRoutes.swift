import ModelFormats
import TensorCore

extension ModelFamily {
    /// How a family's GGUF files are read, described and written back.
    public struct GGUFRoute: Sendable {
        /// The model of a GGUF file (hyperparameters from its metadata, weights under HF names).
        public let build: @Sendable (GGUFFile) throws -> any BlockwiseLanguageModel
        /// The hyperparameters `ptqlab inspect` shows, from the metadata alone.
        public let describe: @Sendable (GGUFFile) throws -> [String: String]
        /// The config.json (a JSON object) of the file's model as `member` is named: what `export-hf` writes.
        public let hfConfig: @Sendable (_ file: GGUFFile, _ member: Member) throws -> [String: Any]
        /// Where quantized linears go in a copy of the file (`GGUFExporter`); nil: not supported.
        public let tensorLayout: GGUFTensorLayout?

        /// A route from its four parts.
        public init(build: @escaping @Sendable (GGUFFile) throws -> any BlockwiseLanguageModel,
                    describe: @escaping @Sendable (GGUFFile) throws -> [String: String],
                    hfConfig: @escaping @Sendable (_ file: GGUFFile, _ member: Member) throws -> [String: Any],
                    tensorLayout: GGUFTensorLayout?) {
            self.build = build
            self.describe = describe
            self.hfConfig = hfConfig
            self.tensorLayout = tensorLayout
        }
    }

    /// How a family's Hugging Face checkpoints (config.json + safetensors) are read and described.
    public struct HFRoute: Sendable {
        /// The model of a config.json (its path) with weights under HF names.
        public let build: @Sendable (_ configPath: String, _ weights: any CanonicalWeights) throws -> any BlockwiseLanguageModel
        /// The hyperparameters `ptqlab inspect` shows, from config.json alone.
        public let describe: @Sendable (_ configPath: String) throws -> [String: String]

        /// A route from its two parts.
        public init(build: @escaping @Sendable (_ configPath: String, _ weights: any CanonicalWeights) throws -> any BlockwiseLanguageModel,
                    describe: @escaping @Sendable (_ configPath: String) throws -> [String: String]) {
            self.build = build
            self.describe = describe
        }
    }

    /// Where a family's linear layers sit in its GGUF files: what writing quantized blocks into a
    /// copy of a source GGUF needs.
    public struct GGUFTensorLayout: Sendable {
        /// HF tensor name → GGUF tensor name (nil: no such tensor).
        public let tensorName: @Sendable (String) -> String?
        /// GGUF tensor name → head count of llama.cpp's Q/K row permutation, for the tensors of this
        /// file that are stored permuted (empty: none are).
        public let permutedRows: @Sendable (GGUFFile) throws -> [String: Int]
        /// A float tensor (HF name, values as the model uses them) as the GGUF stores it: identity,
        /// except where llama.cpp's converter changes values (Gemma's norms hold 1 + w).
        public let storedForm: @Sendable (String, Tensor) -> Tensor

        /// A layout from its parts.
        public init(tensorName: @escaping @Sendable (String) -> String?,
                    permutedRows: @escaping @Sendable (GGUFFile) throws -> [String: Int],
                    storedForm: @escaping @Sendable (String, Tensor) -> Tensor = { _, t in t }) {
            self.tensorName = tensorName
            self.permutedRows = permutedRows
            self.storedForm = storedForm
        }
    }
}
