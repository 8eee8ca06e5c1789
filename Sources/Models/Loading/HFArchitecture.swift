import ModelFormats

/// Hugging Face checkpoints: config.json's `model_type` looked up in the family table, which
/// builds or describes the model.
public enum HFArchitecture {
    /// `model_type` values the loader accepts.
    public static var supportedModelTypes: [String] { ModelFamilies.supportedModelTypes }

    /// The model of config.json (`configPath`) with `weights`; an unknown `model_type` names the
    /// file, the field and the supported values.
    public static func build(configPath: String, weights: CanonicalWeights) throws -> any BlockwiseLanguageModel {
        let type = try HFModelType.read(contentsOf: configPath)
        return try ModelFamilies.hfRoute(modelType: type, file: configPath).route.build(configPath, weights)
    }

    /// The architecture and its shape as `ptqlab inspect` shows them, from config.json alone.
    public static func describe(configPath: String) throws -> (architecture: String, shape: [String: String]) {
        let type = try HFModelType.read(contentsOf: configPath)
        let (member, route) = try ModelFamilies.hfRoute(modelType: type, file: configPath)
        return (member.architecture, try route.describe(configPath))
    }
}
