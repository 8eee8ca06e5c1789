import Foundation
import Testing
import TensorCore
@testable import ModelFormats

@Suite struct HFConfigModelDirectoryTests {
    struct TinyTensor: Decodable {
        let dtype: String
        let shape: [Int]
        let firstF32Bits: [UInt32]
        enum CodingKeys: String, CodingKey { case dtype, shape, firstF32Bits = "first_f32_bits" }
    }

    /// A model saved by transformers' `save_pretrained`, with a tokenizer.json.
    @Test func opensATransformersModelDirectory() throws {
        let path = TestFiles.fixture("safetensors/tiny-llama")
        let model = try HFModelDirectory(path: path)
        #expect(model.configPath == path + "/config.json")
        #expect(model.tokenizerPath == path + "/tokenizer.json")
        #expect(try model.requireTokenizerPath() == path + "/tokenizer.json")
        #expect(model.weights == .single(path: path + "/model.safetensors"))
        let config = try model.loadConfig()
        #expect(config.numHiddenLayers == 2)

        let tensors = try model.openTensors()
        let reference = try TestFiles.readJSON([String: TinyTensor].self, "safetensors/tiny-llama.json")
        #expect(Set(tensors.tensorNames) == Set(reference.keys))
        for (name, expected) in reference {
            #expect(tensors.storageType(of: name) == expected.dtype)
            let tensor = try tensors.loadFloat32(name, expectedShape: expected.shape)
            #expect(Array(TestFiles.bits(tensor).prefix(4)) == expected.firstF32Bits, "\(name)")
        }
        #expect(tensors.shape(of: "model.layers.1.self_attn.k_proj.weight") == [config.numKeyValueHeads * config.headDim,
                                                                                  config.hiddenSize])
    }

    @Test func findsShardedAndMultiFileWeights() throws {
        let directory = try TestFiles.scratchDirectory()
        try TestFiles.write(HFConfigTests.minimal(), to: directory.appendingPathComponent("config.json"))
        var writer = SafetensorsWriter()
        writer.add("a", Tensor(shape: [4], values: [1, 2, 3, 4]))
        writer.add("b", Tensor(shape: [4], values: [5, 6, 7, 8]), as: .bf16)
        try writer.writeCheckpoint(to: directory.path, maxShardSize: 16)

        let sharded = try HFModelDirectory(path: directory.path)
        #expect(sharded.weights == .sharded(indexPath: directory.appendingPathComponent(ShardIndex.fileName).path))
        #expect(sharded.tokenizerPath == nil)
        #expect(try sharded.openTensors().loadFloat32("b").array == [5, 6, 7, 8])
        #expect(try sharded.openTensors() is ShardedCheckpoint)

        try FileManager.default.removeItem(at: directory.appendingPathComponent(ShardIndex.fileName))
        let files = try HFModelDirectory(path: directory.path)
        guard case let .files(paths) = files.weights else {
            Issue.record("expected several files, got \(files.weights)")
            return
        }
        #expect(paths.map { URL(fileURLWithPath: $0).lastPathComponent }
            == ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"])
        #expect(try files.openTensors().tensorNames == ["a", "b"])

        try writer.writeCheckpoint(to: directory.path)
        #expect(try HFModelDirectory(path: directory.path).openTensors() is SafetensorsFile)
    }

    @Test func missingPiecesNameDirectoryAndFile() throws {
        let directory = try TestFiles.scratchDirectory()
        var error = TestFiles.formatError { _ = try HFModelDirectory(path: directory.path) }
        #expect(error == FormatError(file: directory.path, field: "config.json", "missing: a model directory needs config.json"))

        try TestFiles.write(HFConfigTests.minimal(), to: directory.appendingPathComponent("config.json"))
        try TestFiles.write("pickle", to: directory.appendingPathComponent("pytorch_model.bin"))
        error = TestFiles.formatError { _ = try HFModelDirectory(path: directory.path) }
        #expect(error?.file == directory.path)
        #expect(error?.field == "weights")
        #expect(error?.message.contains("PyTorch pickle checkpoints are not supported") == true)

        var writer = SafetensorsWriter()
        writer.add("a", Tensor(shape: [1], values: [1]))
        try writer.write(to: directory.appendingPathComponent("weights.safetensors").path)
        let model = try HFModelDirectory(path: directory.path)
        #expect(model.weights == .single(path: directory.appendingPathComponent("weights.safetensors").path))
        error = TestFiles.formatError { _ = try model.requireTokenizerPath() }
        #expect(error?.file == directory.path)
        #expect(error?.field == "tokenizer.json")
    }

    @Test func pathMustBeAnExistingDirectory() throws {
        #expect(TestFiles.formatError { _ = try HFModelDirectory(path: "/nonexistent/model") }?.field == "directory")
        let file = TestFiles.fixture("hfconfig/smollm2-135m.json")
        #expect(TestFiles.formatError { _ = try HFModelDirectory(path: file) }?.message.contains("is a file") == true)
    }

    @Test func brokenWeightsSurfaceWhenOpened() throws {
        let directory = try TestFiles.scratchDirectory()
        try TestFiles.write(HFConfigTests.minimal(), to: directory.appendingPathComponent("config.json"))
        let weights = directory.appendingPathComponent("model.safetensors")
        try TestFiles.write([1, 2, 3], to: weights)
        let model = try HFModelDirectory(path: directory.path)
        #expect(TestFiles.formatError { _ = try model.openTensors() }?.file == weights.path)
    }
}
