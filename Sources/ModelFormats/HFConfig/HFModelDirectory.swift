import Foundation

/// A Hugging Face model directory: `config.json`, `tokenizer.json` and safetensors weights
/// (`model.safetensors`, a sharded `model.safetensors.index.json`, or several `*.safetensors`).
/// Finds the files when created; `loadConfig()` and `openTensors()` read them.
public struct HFModelDirectory: Sendable {
    public enum Weights: Sendable, Equatable {
        /// `model.safetensors` (or the only `*.safetensors` file).
        case single(path: String)
        /// `model.safetensors.index.json`.
        case sharded(indexPath: String)
        /// Several `*.safetensors` files without an index, in name order.
        case files(paths: [String])
    }

    public static let configFileName = "config.json"
    public static let tokenizerFileName = "tokenizer.json"
    /// A vocab-only GGUF (`tokenizer.ggml.*` metadata, no tensors): how `ptqlab export-hf` stores a
    /// SentencePiece vocabulary, which has no byte-level tokenizer.json form.
    public static let vocabularyGGUFFileName = "tokenizer.gguf"

    public let path: String
    public let configPath: String
    /// Path of `tokenizer.json`, nil when the directory has none (see `requireTokenizerPath()`).
    public let tokenizerPath: String?
    public let weights: Weights

    public init(path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw FormatError(file: path, field: "directory", "does not exist")
        }
        guard isDirectory.boolValue else {
            throw FormatError(file: path, field: "directory", "is a file, expected a model directory")
        }
        let url = URL(fileURLWithPath: path)
        func existing(_ name: String) -> String? {
            let file = url.appendingPathComponent(name).path
            return FileManager.default.fileExists(atPath: file) ? file : nil
        }
        guard let configPath = existing(Self.configFileName) else {
            throw FormatError(file: path, field: Self.configFileName, "missing: a model directory needs config.json")
        }
        self.path = path
        self.configPath = configPath
        tokenizerPath = existing(Self.tokenizerFileName)
        weights = try Self.findWeights(in: url)
    }

    public func loadConfig() throws -> LlamaConfig {
        try LlamaConfig(contentsOf: configPath)
    }

    /// Path of `tokenizer.gguf`, nil when the directory has none.
    public var vocabularyGGUFPath: String? {
        let file = URL(fileURLWithPath: path).appendingPathComponent(Self.vocabularyGGUFFileName).path
        return FileManager.default.fileExists(atPath: file) ? file : nil
    }

    /// The tokenizer.json path, or an error naming the directory when it is missing.
    public func requireTokenizerPath() throws -> String {
        guard let tokenizerPath else {
            throw FormatError(file: path, field: Self.tokenizerFileName, "missing: this model directory has no tokenizer.json")
        }
        return tokenizerPath
    }

    /// Opens the weights as one tensor source.
    public func openTensors() throws -> any TensorSource {
        switch weights {
        case let .single(path): try SafetensorsFile(path: path)
        case let .sharded(indexPath): try ShardedCheckpoint(indexPath: indexPath)
        case let .files(paths): try ShardedCheckpoint(files: paths, sourcePath: path)
        }
    }

    /// transformers' order: `model.safetensors`, then the index, then any other safetensors files.
    private static func findWeights(in url: URL) throws -> Weights {
        let single = url.appendingPathComponent("model.safetensors").path
        if FileManager.default.fileExists(atPath: single) { return .single(path: single) }
        let index = url.appendingPathComponent(ShardIndex.fileName).path
        if FileManager.default.fileExists(atPath: index) { return .sharded(indexPath: index) }

        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: url.path)
        } catch {
            throw FormatError(file: url.path, field: "directory", "cannot list: \(error.localizedDescription)")
        }
        let safetensors = names.filter { $0.hasSuffix(".safetensors") }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            .map { url.appendingPathComponent($0).path }
        if safetensors.count == 1 { return .single(path: safetensors[0]) }
        if safetensors.count > 1 { return .files(paths: safetensors) }

        var message = "missing: expected model.safetensors, \(ShardIndex.fileName) or *.safetensors files"
        if names.contains(where: { $0.hasSuffix(".bin") || $0.hasSuffix(".pt") || $0.hasSuffix(".pth") }) {
            message += " (PyTorch pickle checkpoints are not supported: convert them to safetensors)"
        }
        throw FormatError(file: url.path, field: "weights", message)
    }
}
