import Foundation
import ModelFormats
import Models

/// `model-meta`: what the family registry reads from a file's metadata alone, as `ptqlab inspect`
/// and `export-hf` do: a GGUF file (starts with "GGUF") through its family's `describe` and
/// `hfConfig`, anything else as a config.json through `model_type`'s family `describe`. No
/// weights are loaded and no model is built. (Sources/Models: hyperparameter checks live there.)
enum ModelMetadataTarget {
    static let target = FuzzTarget(
        name: "model-meta", summary: "family registry: GGUF describe/hfConfig, config.json describe"
    ) { input in
        if input.bytes.starts(with: Array("GGUF".utf8)) {
            let path = Scratch.write(input.bytes, to: "model.gguf")
            guard let file = ErrorCheck.attempt("GGUFFile", { try GGUFFile(path: path) }),
                  let architecture = file.architecture,
                  let (member, route) = ErrorCheck.attempt("ggufRoute", { try ModelFamilies.ggufRoute(architecture, file: path) })
            else { return }
            ErrorCheck.attempt("GGUF describe") { try route.describe(file) }
            if let object = ErrorCheck.attempt("GGUF hfConfig", { try route.hfConfig(file, member) }) {
                _ = ConfigJSONText.text(object)
            }
        } else {
            let path = Scratch.write(input.bytes, to: "config.json")
            guard let modelType = ErrorCheck.attempt("model_type", { try HFModelType.read(contentsOf: path) }),
                  let (_, route) = ErrorCheck.attempt("hfRoute", { try ModelFamilies.hfRoute(modelType: modelType, file: path) })
            else { return }
            ErrorCheck.attempt("HF describe") { try route.describe(path) }
        }
    }
}
