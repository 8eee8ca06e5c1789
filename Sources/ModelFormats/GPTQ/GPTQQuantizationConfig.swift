import Foundation

/// The `quantization_config` of a GPTQ checkpoint's config.json, as transformers / optimum,
/// AutoGPTQ and GPTQModel write it:
///
///     "quantization_config": {"quant_method": "gptq", "bits": 4, "group_size": 128,
///                             "desc_act": false, "sym": false, "checkpoint_format": "gptq"}
///
/// `group_size` −1 means one group per output row. A missing `checkpoint_format` means "gptq" (v1
/// zero-points).
public struct GPTQQuantizationConfig: Sendable, Equatable, Codable {
    public var quantMethod = "gptq"
    public var bits: Int
    public var groupSize: Int
    public var descAct: Bool
    public var sym: Bool
    public var checkpointFormat: String?
    /// PTQLab's LoRC on top of GPTQ: the rank of the factors stored beside each packed layer
    /// (`GPTQTensorSource.lowRankSuffixes`); nil: none. Other loaders ignore the key.
    public var lowRankRank: Int?

    enum CodingKeys: String, CodingKey {
        case quantMethod = "quant_method", bits, groupSize = "group_size", descAct = "desc_act", sym
        case checkpointFormat = "checkpoint_format"
        case lowRankRank = "ptqlab_lorc_rank"
    }

    public init(bits: Int, groupSize: Int, descAct: Bool, sym: Bool, convention: GPTQZeroConvention) {
        self.bits = bits
        self.groupSize = groupSize
        self.descAct = descAct
        self.sym = sym
        checkpointFormat = convention.rawValue
    }

    /// The zero-point convention named by `checkpoint_format`.
    public func convention(file: String) throws -> GPTQZeroConvention {
        guard let format = checkpointFormat else { return .v1 }
        guard let c = GPTQZeroConvention(rawValue: format) else {
            throw FormatError(file: file, field: "quantization_config.checkpoint_format",
                              "'\(MessageExcerpt.of(format))' is not supported (gptq or gptq_v2)")
        }
        return c
    }

    /// The GPTQ `quantization_config` of a config.json, nil when it has none. Another
    /// `quant_method` (awq, bitsandbytes, …) is an error naming it.
    public static func read(configPath: String) throws -> GPTQQuantizationConfig? {
        struct Wrapper: Decodable {
            struct Method: Decodable { let quant_method: String? }
            let quantization_config: Method?
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: configPath)) } catch {
            throw FormatError(file: configPath, field: "file", "cannot read: \(error.localizedDescription)")
        }
        guard let method = try FormatJSON.decode(Wrapper.self, from: data, file: configPath).quantization_config else {
            return nil
        }
        guard method.quant_method == "gptq" else {
            throw FormatError(file: configPath, field: "quantization_config.quant_method",
                              "'\(MessageExcerpt.of(method.quant_method ?? "none"))' checkpoints are not supported (only gptq)")
        }
        struct Full: Decodable { let quantization_config: GPTQQuantizationConfig }
        let config = try FormatJSON.decode(Full.self, from: data, file: configPath).quantization_config
        guard GPTQPacking.supportedBits.contains(config.bits) else {
            throw FormatError(file: configPath, field: "quantization_config.bits", "\(config.bits) bits (supported: 2, 3, 4, 8)")
        }
        _ = try config.convention(file: configPath)
        return config
    }
}
