/// What an exporter wrote.
public struct ExportReport: Sendable, Encodable {
    /// "gguf" or "gptq".
    public var format: String
    public var path: String
    /// Storage of the quantized linears: a ggml type ("Q4_1") or "GPTQ int4 g128".
    public var quantizedStorage: String
    public var quantizedLayers: Int
    public var tensors: Int
    public var bytes: Int
    /// Conventions chosen and anything the user should know (e.g. no tokenizer written).
    public var notes: [String]

    enum CodingKeys: String, CodingKey {
        case format, path, tensors, bytes, notes
        case quantizedStorage = "quantized_storage", quantizedLayers = "quantized_layers"
    }
}
