import Foundation
import ModelFormats
import Models
import Testing

/// The family table (`ModelFamilies`): names are unique across rows, every supported name leads to
/// its row, unknown names fail naming the file and the field, `inspect`'s family text and every
/// model's architecture come from the rows, and each row builds its tiny fixture.
@Suite struct FamilyRegistryTests {
    static let fixtures: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/Fixtures/models"
    }()

    static var members: [(family: ModelFamily, member: ModelFamily.Member)] {
        ModelFamilies.all.flatMap { family in family.members.map { (family, $0) } }
    }

    @Test func namesAreUniqueAcrossRows() {
        let gguf = Self.members.compactMap(\.member.ggufArchitecture)
        let types = Self.members.map(\.member.modelType)
        let architectures = Self.members.map(\.member.architecture)
        #expect(Set(gguf).count == gguf.count, "GGUF architectures: \(gguf)")
        #expect(Set(types).count == types.count, "model types: \(types)")
        #expect(Set(architectures).count == architectures.count, "architectures: \(architectures)")
        #expect(Set(ModelFamilies.all.map(\.name)).count == ModelFamilies.all.count)
    }

    @Test func everySupportedNameResolvesToItsRow() throws {
        for (family, member) in Self.members {
            if let gguf = member.ggufArchitecture {
                let found = try #require(ModelFamilies.lookup(ggufArchitecture: gguf))
                #expect(found.family.name == family.name && found.member.architecture == member.architecture)
                #expect(try ModelFamilies.ggufRoute(gguf, file: "m.gguf").member.architecture == member.architecture)
            }
            let found = try #require(ModelFamilies.lookup(modelType: member.modelType))
            #expect(found.family.name == family.name && found.member.architecture == member.architecture)
            #expect(try ModelFamilies.hfRoute(modelType: member.modelType, file: "config.json").member.modelType == member.modelType)
            #expect(ModelFamilies.member(architecture: member.architecture)?.modelType == member.modelType)
        }
        // a row reads GGUF files exactly when its members have GGUF names
        for family in ModelFamilies.all {
            #expect((family.gguf != nil) == family.members.contains { $0.ggufArchitecture != nil }, "\(family.name)")
        }
        #expect(ModelLoader.supportedGGUFArchitectures == ["gemma3", "llama", "mistral", "qwen2"])
        #expect(HFArchitecture.supportedModelTypes == ["llama", "mistral", "qwen2", "gemma3_text", "opt", "bloom", "gpt2", "gpt_neox"])
        #expect(ModelFamilies.ggufExportArchitectures == ["gemma3", "llama", "mistral", "qwen2"])
        #expect(LlamaGGUF.permutesQK(architecture: "llama") && LlamaGGUF.permutesQK(architecture: "mistral"))
        #expect(!LlamaGGUF.permutesQK(architecture: "qwen2") && !LlamaGGUF.permutesQK(architecture: "gemma3"))
    }

    @Test func unknownNamesNameTheFileAndTheField() throws {
        let gguf = #expect(throws: FormatError.self) { try ModelFamilies.ggufRoute("phi3", file: "/x/m.gguf") }
        #expect(gguf?.file == "/x/m.gguf" && gguf?.field == "general.architecture")
        #expect(gguf?.message == "architecture 'phi3' is not supported yet (supported: gemma3, llama, mistral, qwen2)")
        let hf = #expect(throws: FormatError.self) { try ModelFamilies.hfRoute(modelType: "t5", file: "/x/config.json") }
        #expect(hf?.file == "/x/config.json" && hf?.field == "model_type")
        #expect(hf?.message == "model type 't5' is not supported yet "
                + "(supported: llama, mistral, qwen2, gemma3_text, opt, bloom, gpt2, gpt_neox)")
        // a known family without a GGUF reader is not a GGUF architecture
        #expect(throws: FormatError.self) { try ModelFamilies.ggufRoute("gpt2", file: "m.gguf") }

        // the same errors through the loader, from real files
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ptqlab-registry-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("phi3.gguf").path
        let writer = GGUFWriter()
        writer["general.architecture"] = .string("phi3")
        try writer.write(to: file)
        let load = #expect(throws: FormatError.self) { _ = try ModelLoader.load(path: file) }
        #expect(load?.file == file && load?.field == "general.architecture")
        let config = dir.appendingPathComponent("config.json").path
        try Data(#"{"model_type": "t5"}"#.utf8).write(to: URL(fileURLWithPath: config))
        let build = #expect(throws: FormatError.self) {
            _ = try HFArchitecture.build(configPath: config, weights: DirectWeights(try HFModelDirectory(path: Self.fixtures + "/tiny-llama").openTensors()))
        }
        #expect(build?.file == config && build?.field == "model_type")
    }

    @Test func inspectFamilyTextComesFromTheRow() throws {
        for (_, member) in Self.members {
            #expect(ModelInspector.family(member.architecture) == member.summary)
        }
        #expect(ModelInspector.family("phi3").hasPrefix("unsupported (loadable: GGUF gemma3, llama, mistral, qwen2; Hugging Face llama,"))
        let gemma = try ModelInspector.summarize(path: Self.fixtures + "/tiny-gemma3/model.gguf")
        #expect(gemma.family == ModelFamilies.gemma3.members[0].summary && gemma.hyperparameters["sliding_window"] == "4")
        let opt = try ModelInspector.summarize(path: Self.fixtures + "/tiny-opt")
        #expect(opt.architecture == "opt" && opt.family == ModelFamilies.opt.members[0].summary)
    }

    /// Each row builds its fixture, and the model reports an architecture (and HF model type) of that row.
    @Test(arguments: [("tiny-llama", "Llama"), ("tiny-qwen2", "Llama"), ("tiny-gemma3", "Gemma 3"), ("tiny-opt", "OPT"),
                      ("tiny-bloom", "BLOOM"), ("tiny-gpt2", "GPT-2"), ("tiny-gpt-neox", "GPT-NeoX")])
    func rowBuildsItsFixture(_ name: String, _ familyName: String) throws {
        let path = Self.fixtures + "/" + name
        let model: any BlockwiseLanguageModel
        if name == "tiny-gemma3" {
            let file = try GGUFFile(path: path + "/model.gguf")
            model = try ModelFamilies.ggufRoute(file.architecture ?? "?", file: file.path).route.build(file)
        } else {
            model = try HFArchitecture.build(configPath: path + "/config.json",
                                             weights: DirectWeights(try HFModelDirectory(path: path).openTensors()))
        }
        let family = try #require(ModelFamilies.all.first { $0.name == familyName })
        let member = try #require(family.members.first { $0.architecture == model.architecture }, "\(name): \(model.architecture)")
        #expect((model as? any HFCheckpointTensors)?.hfModelType == member.modelType)
    }
}
