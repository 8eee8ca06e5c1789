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
    /// GPTQModel's per-module overrides (vLLM reads them too): a regex over module names, prefixed
    /// `+:` (or nothing: these fields override the base config) or `-:` (the module is not
    /// quantized: a float `.weight`), → the fields it overrides. Matched with the regex anchored at
    /// the name's start, as vLLM's `re.match`.
    public var dynamic: [String: DynamicOverride]?

    public struct DynamicOverride: Sendable, Equatable, Codable {
        public var bits: Int?
        public var groupSize: Int?
        public var descAct: Bool?
        public var sym: Bool?
        public init(bits: Int? = nil, groupSize: Int? = nil, descAct: Bool? = nil, sym: Bool? = nil) {
            self.bits = bits; self.groupSize = groupSize; self.descAct = descAct; self.sym = sym
        }
        enum CodingKeys: String, CodingKey { case bits, groupSize = "group_size", descAct = "desc_act", sym }
    }

    enum CodingKeys: String, CodingKey {
        case quantMethod = "quant_method", bits, groupSize = "group_size", descAct = "desc_act", sym
        case checkpointFormat = "checkpoint_format"
        case lowRankRank = "ptqlab_lorc_rank", dynamic
    }

    /// The `dynamic` key that names exactly one module (`+:` to override, `-:` to exclude).
    public static func exactPattern(_ module: String, excluded: Bool) -> String {
        (excluded ? "-:" : "+:") + "^" + NSRegularExpression.escapedPattern(for: module) + "$"
    }

    /// The code bits of `module`: a positive `dynamic` override's, else the base config's; nil when
    /// a negative pattern excludes it. Two positive patterns giving different bits are an error
    /// (JSON objects carry no order to pick the first by).
    public func bits(of module: String, file: String) throws -> Int? {
        var found: Int? = nil
        for (key, override) in dynamic ?? [:] {
            let excluded = key.hasPrefix("-:")
            let pattern = key.hasPrefix("-:") || key.hasPrefix("+:") ? String(key.dropFirst(2)) : key
            guard let regex = try? NSRegularExpression(pattern: pattern) else {
                throw FormatError(file: file, field: "quantization_config.dynamic", "'\(MessageExcerpt.of(key))' is not a regular expression")
            }
            let range = NSRange(module.startIndex..., in: module)
            guard let match = regex.firstMatch(in: module, options: [.anchored], range: range), match.range.location == 0 else { continue }
            if excluded { return nil }
            if let bits = override.bits {
                if let found, found != bits {
                    throw FormatError(file: file, field: "quantization_config.dynamic", "\(module) matches overrides with \(found) and \(bits) bits")
                }
                found = bits
            }
        }
        return found ?? bits
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
