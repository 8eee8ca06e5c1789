import ModelFormats
import Models

/// A transformers config.json for a Llama-family GGUF (what a GPTQ directory of it carries): the
/// Llama row of `ModelFamilies` names the model; `LlamaHF` derives and checks the config.
public enum HFConfigFromGGUF {
    /// The config of `file`; a GGUF outside the Llama row is refused.
    public static func config(of file: GGUFFile) throws -> LlamaConfig {
        let arch = file.architecture ?? "?"
        guard let member = ModelFamilies.llama.members.first(where: { $0.ggufArchitecture == arch }) else {
            let names = ModelFamilies.llama.members.compactMap(\.ggufArchitecture).joined(separator: ", ")
            throw ExportError("\(file.path): a Llama config.json is derived for \(names) GGUFs, not '\(arch)'")
        }
        return try LlamaHF.config(fromGGUF: file, hfClass: member.hfClass)
    }
}
