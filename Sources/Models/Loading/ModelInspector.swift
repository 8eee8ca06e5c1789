import Foundation
import ModelFormats
import Tokenizers

/// What `ptqlab inspect` shows: architecture, tensors grouped by storage type with their bits per
/// weight, the network's shape, and the tokenizer.
public struct ModelSummary: Sendable, Encodable {
    public struct StorageGroup: Sendable, Encodable {
        public var type: String
        public var tensors: Int
        public var parameters: Int
        public var bytes: Int
        public var bitsPerWeight: Double { parameters > 0 ? Double(bytes) * 8 / Double(parameters) : 0 }

        enum CodingKeys: String, CodingKey { case type, tensors, parameters, bytes, bitsPerWeight }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(type, forKey: .type); try c.encode(tensors, forKey: .tensors)
            try c.encode(parameters, forKey: .parameters); try c.encode(bytes, forKey: .bytes)
            try c.encode(bitsPerWeight, forKey: .bitsPerWeight)
        }
    }
    public var path: String
    public var format: String
    public var architecture: String
    /// The model family and the code that runs it, e.g. "Qwen2 (Llama code path, q/k/v biases)".
    public var family: String
    public var name: String?
    public var tensorCount: Int
    public var parameters: Int
    public var bytes: Int
    public var storage: [StorageGroup]
    public var hyperparameters: [String: String]
    public var tokenizer: String

    public var bitsPerWeight: Double { parameters > 0 ? Double(bytes) * 8 / Double(parameters) : 0 }

    enum CodingKeys: String, CodingKey {
        case path, format, architecture, family, name, tensorCount, parameters, bytes, bitsPerWeight, storage, hyperparameters, tokenizer
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path); try c.encode(format, forKey: .format)
        try c.encode(architecture, forKey: .architecture); try c.encode(family, forKey: .family)
        try c.encodeIfPresent(name, forKey: .name)
        try c.encode(tensorCount, forKey: .tensorCount); try c.encode(parameters, forKey: .parameters)
        try c.encode(bytes, forKey: .bytes); try c.encode(bitsPerWeight, forKey: .bitsPerWeight)
        try c.encode(storage, forKey: .storage)
        try c.encode(hyperparameters.mapValues(HyperparameterValue.init), forKey: .hyperparameters)
        try c.encode(tokenizer, forKey: .tokenizer)
    }
}

/// A hyperparameter as JSON: a number when the text is one ("576", "1e-05"), a boolean for
/// "true"/"false", the text otherwise ("ALiBi").
enum HyperparameterValue: Encodable {
    case integer(Int), number(Double), boolean(Bool), text(String)

    init(_ text: String) {
        if let i = Int(text) { self = .integer(i) }
        else if let d = Double(text), d.isFinite { self = .number(d) }
        else if text == "true" || text == "false" { self = .boolean(text == "true") }
        else { self = .text(text) }
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .integer(let i): try c.encode(i)
        case .number(let d): try c.encode(d)
        case .boolean(let b): try c.encode(b)
        case .text(let t): try c.encode(t)
        }
    }
}

public enum ModelInspector {
    /// `path`: a GGUF file, a Hugging Face model directory or a model name (see `ModelLoader.load`).
    public static func summarize(path argument: String) throws -> ModelSummary {
        let path = try NamedModel.resolve(argument)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw FormatError(file: path, field: "path", "no such file or directory (nor a model name: \(NamedModel.names))")
        }
        if isDir.boolValue { return try summarizeHF(path) }
        let file = try GGUFFile(path: path)
        var groups: [String: ModelSummary.StorageGroup] = [:]
        for t in file.tensors {
            var g = groups[t.type.name] ?? .init(type: t.type.name, tensors: 0, parameters: 0, bytes: 0)
            g.tensors += 1; g.parameters += t.elementCount; g.bytes += t.byteCount
            groups[t.type.name] = g
        }
        let arch = file.metadata["general.architecture"]?.asString ?? "unknown"
        let hyper = (try? ModelFamilies.lookup(ggufArchitecture: arch)?.family.gguf?.describe(file)) ?? [:]
        let tok = (try? Tokenizer.fromGGUF(file))?.kind ?? "none or unsupported (\(file.metadata["tokenizer.ggml.model"]?.asString ?? "absent"))"
        return ModelSummary(
            path: path, format: "GGUF v\(file.version)", architecture: arch, family: family(arch),
            name: file.metadata["general.name"]?.asString, tensorCount: file.tensors.count,
            parameters: groups.values.reduce(0) { $0 + $1.parameters }, bytes: groups.values.reduce(0) { $0 + $1.bytes },
            storage: groups.values.sorted { $0.parameters > $1.parameters }, hyperparameters: hyper, tokenizer: tok)
    }

    static func summarizeHF(_ path: String) throws -> ModelSummary {
        let dir = try HFModelDirectory(path: path)
        let (architecture, shape) = try HFArchitecture.describe(configPath: dir.configPath)
        // A GPTQ directory: each packed linear counts as one tensor of out × in weights stored in
        // its qweight, qzeros, scales and g_idx (int32 words hold 32/bits codes each).
        let source = try dir.openWeights()
        let gptq = source as? GPTQTensorSource
        let raw = gptq?.base ?? source
        let packed = gptq?.packedModules ?? []
        func rawBytes(_ name: String) -> Int {
            let n = raw.shape(of: name)?.reduce(1, *) ?? 0
            let bits = raw.storageType(of: name).flatMap(SafetensorsDType.init(rawValue:))?.bitsPerElement ?? 32
            return n * bits / 8
        }
        var groups: [String: ModelSummary.StorageGroup] = [:]
        for name in source.tensorNames {
            let type = source.storageType(of: name) ?? "?"
            let n = source.shape(of: name)?.reduce(1, *) ?? 0
            let module = String(name.dropLast(".weight".count))
            let bytes = name.hasSuffix(".weight") && packed.contains(module)
                ? GPTQTensorSource.packedSuffixes.reduce(0) { $0 + rawBytes(module + $1) } : rawBytes(name)
            var g = groups[type] ?? .init(type: type, tensors: 0, parameters: 0, bytes: 0)
            g.tensors += 1; g.parameters += n; g.bytes += bytes
            groups[type] = g
        }
        let tok = if let json = dir.tokenizerPath {
            try Tokenizer.fromTokenizerJSON(path: json).kind
        } else if let vocabulary = dir.vocabularyGGUFPath {
            try Tokenizer.fromGGUF(GGUFFile(path: vocabulary)).kind + " (\(HFModelDirectory.vocabularyGGUFFileName))"
        } else {
            "none (no tokenizer.json)"
        }
        return ModelSummary(
            path: path, format: "Hugging Face safetensors", architecture: architecture, family: family(architecture), name: nil,
            tensorCount: source.tensorNames.count, parameters: groups.values.reduce(0) { $0 + $1.parameters },
            bytes: groups.values.reduce(0) { $0 + $1.bytes }, storage: groups.values.sorted { $0.parameters > $1.parameters },
            hyperparameters: shape, tokenizer: tok)
    }

    /// The family an architecture belongs to and the code that runs it (the table row's text).
    public static func family(_ architecture: String) -> String {
        ModelFamilies.member(architecture: architecture)?.summary
            ?? "unsupported (loadable: GGUF \(ModelFamilies.supportedGGUFArchitectures.joined(separator: ", ")); "
            + "Hugging Face \(ModelFamilies.supportedModelTypes.joined(separator: ", ")))"
    }
}
