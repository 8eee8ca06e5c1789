import ModelFormats

extension ModelFamilies {
    /// GGUF `general.architecture` values the loader reads, sorted.
    public static var supportedGGUFArchitectures: [String] {
        all.flatMap { $0.members.compactMap(\.ggufArchitecture) }.sorted()
    }

    /// config.json `model_type` values the loader reads, in table order.
    public static var supportedModelTypes: [String] { all.flatMap { $0.members.map(\.modelType) } }

    /// GGUF `general.architecture` values whose quantized models can be written as GGUF, sorted.
    public static var ggufExportArchitectures: [String] {
        all.filter { $0.gguf?.tensorLayout != nil }.flatMap { $0.members.compactMap(\.ggufArchitecture) }.sorted()
    }

    /// The row and member GGUF files call `ggufArchitecture`, if any.
    public static func lookup(ggufArchitecture: String) -> (family: ModelFamily, member: ModelFamily.Member)? {
        for family in all {
            if let member = family.members.first(where: { $0.ggufArchitecture == ggufArchitecture }) { return (family, member) }
        }
        return nil
    }

    /// The row and member config.json calls `modelType`, if any.
    public static func lookup(modelType: String) -> (family: ModelFamily, member: ModelFamily.Member)? {
        for family in all {
            if let member = family.members.first(where: { $0.modelType == modelType }) { return (family, member) }
        }
        return nil
    }

    /// The member whose models report `architecture`, if any.
    public static func member(architecture: String) -> ModelFamily.Member? {
        all.lazy.flatMap(\.members).first { $0.architecture == architecture }
    }

    /// How to read a GGUF file whose `general.architecture` is `architecture`; the error names
    /// `file`, the field and the supported values.
    public static func ggufRoute(_ architecture: String, file: String) throws -> (member: ModelFamily.Member, route: ModelFamily.GGUFRoute) {
        guard let (family, member) = lookup(ggufArchitecture: architecture), let route = family.gguf else {
            throw FormatError(file: file, field: "general.architecture",
                              "architecture '\(architecture)' is not supported yet (supported: \(supportedGGUFArchitectures.joined(separator: ", ")))")
        }
        return (member, route)
    }

    /// How to read a Hugging Face checkpoint whose config.json (`file`) says `modelType`; the error
    /// names the file, the field and the supported values.
    public static func hfRoute(modelType: String, file: String) throws -> (member: ModelFamily.Member, route: ModelFamily.HFRoute) {
        guard let (family, member) = lookup(modelType: modelType) else {
            throw FormatError(file: file, field: "model_type",
                              "model type '\(modelType)' is not supported yet (supported: \(supportedModelTypes.joined(separator: ", ")))")
        }
        return (member, family.hf)
    }
}
