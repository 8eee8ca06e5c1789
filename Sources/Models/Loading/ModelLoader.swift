import Foundation
import ModelFormats
import Tokenizers

/// A model ready to evaluate: the network, its tokenizer and where it came from.
public struct LoadedModel: Sendable {
    public let path: String
    public let model: any BlockwiseLanguageModel
    public let tokenizer: Tokenizer
    /// Storage types ("Q4_1", "BF16" …) of the weights of the transformer blocks' linear layers:
    /// what quantization starts from (and may align with).
    public let blockWeightStorage: Set<String>
    /// How its weight matrices are held: f32, or lean (as stored; see `WeightResidency`).
    public var residency: WeightResidency = .f32
}

/// Opens a GGUF file or a Hugging Face model directory and builds the right architecture.
public enum ModelLoader {
    /// `path` is a GGUF file, a Hugging Face model directory or a model name (`NamedModel`:
    /// qwen2.5-coder-0.5b, gemma3-270m, qwen2.5-coder-1.5b, smollm2-135m), whose installed file is joined from its
    /// chunks on first use.
    /// `residency`: how the weight matrices stay resident (default: `WeightResidency.requested`,
    /// i.e. `--weights` / `PTQLAB_WEIGHTS`, else auto).
    public static func load(path argument: String, residency: WeightResidency = WeightResidency.requested) throws -> LoadedModel {
        let path = try NamedModel.resolve(argument)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw FormatError(file: path, field: "path", "no such file or directory (nor a model name: \(NamedModel.names))")
        }
        return isDir.boolValue ? try loadHF(directory: path, residency: residency) : try loadGGUF(path: path, residency: residency)
    }

    static func loadGGUF(path: String, residency requested: WeightResidency) throws -> LoadedModel {
        let file = try GGUFFile(path: path)
        let arch = file.metadata["general.architecture"]?.asString ?? "?"
        let residency = requested.resolved(f32Bytes: file.tensors.reduce(0) { $0 + $1.elementCount * 4 })
        let model = try WeightResidency.$loading.withValue(residency) {
            try ModelFamilies.ggufRoute(arch, file: path).route.build(file)
        }
        let tokenizer = try Tokenizer.fromGGUF(file)
        let storage = Set(file.tensors.filter { $0.name.hasPrefix("blk.") && $0.shape.count == 2 }.map(\.type.name))
        var loaded = LoadedModel(path: path, model: model, tokenizer: tokenizer, blockWeightStorage: storage)
        loaded.residency = residency
        return loaded
    }

    /// `general.architecture` values `load` accepts.
    public static var supportedGGUFArchitectures: [String] { ModelFamilies.supportedGGUFArchitectures }

    static func loadHF(directory: String, residency requested: WeightResidency) throws -> LoadedModel {
        let dir = try HFModelDirectory(path: directory)
        // GPTQ checkpoints (config.json `quantization_config`) are dequantized on load.
        let source = try dir.openWeights()
        let f32Bytes = source.tensorNames.reduce(0) { $0 + (source.shape(of: $1) ?? []).reduce(4, *) }
        let residency = requested.resolved(f32Bytes: f32Bytes)
        let model = try WeightResidency.$loading.withValue(residency) {
            try HFArchitecture.build(configPath: dir.configPath, weights: DirectWeights(source))
        }
        let storage = Set(model.linearLayers.compactMap { source.storageType(of: $0.name + ".weight") })
        // tokenizer.json; or, for a SentencePiece vocabulary written by `ptqlab export-hf`, tokenizer.gguf
        let tokenizer = if dir.tokenizerPath == nil, let vocabulary = dir.vocabularyGGUFPath {
            try Tokenizer.fromGGUF(GGUFFile(path: vocabulary))
        } else {
            try Tokenizer.fromTokenizerJSON(path: try dir.requireTokenizerPath())
        }
        var loaded = LoadedModel(path: directory, model: model, tokenizer: tokenizer, blockWeightStorage: storage)
        loaded.residency = residency
        return loaded
    }
}
