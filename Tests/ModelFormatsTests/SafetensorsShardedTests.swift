import Foundation
import Testing
import TensorCore
@testable import ModelFormats

@Suite struct SafetensorsShardedTests {
    struct ShardedReference: Decodable {
        let insertionOrder: [String]
        let maxShardSize: Int
        let tensors: [String: ReferenceTensor]

        enum CodingKeys: String, CodingKey {
            case insertionOrder = "insertion_order", maxShardSize = "max_shard_size", tensors
        }
    }

    let indexPath = TestFiles.fixture("safetensors/sharded/model.safetensors.index.json")

    @Test func readsACheckpointShardedByHuggingfaceHub() throws {
        let checkpoint = try ShardedCheckpoint(indexPath: indexPath)
        let reference = try TestFiles.readJSON(ShardedReference.self, "safetensors/sharded.json")
        #expect(checkpoint.shards.count == 3)
        #expect(checkpoint.tensorNames == [
            "model.embed_tokens.weight", "model.layers.0.mlp.up_proj.weight",
            "model.layers.0.input_layernorm.weight", "model.layers.0.self_attn.q_proj.weight", "model.norm.weight",
        ])
        for (name, expected) in reference.tensors {
            #expect(checkpoint.shape(of: name) == expected.shape)
            #expect(checkpoint.storageType(of: name) == "F32")
            #expect(TestFiles.bits(try checkpoint.loadFloat32(name)) == expected.f32Bits)
        }
        #expect(checkpoint.shard(of: "model.norm.weight")?.sourcePath.hasSuffix("model-00003-of-00003.safetensors") == true)
        let error = TestFiles.formatError { _ = try checkpoint.loadFloat32("lm_head.weight") }
        #expect(error == FormatError(file: indexPath, field: "lm_head.weight", "no tensor with this name"))
    }

    /// The same state dict and limit give the same shards as huggingface_hub, byte for byte, and the
    /// same weight map.
    @Test func shardsLikeHuggingfaceHub() throws {
        let reference = try TestFiles.readJSON(ShardedReference.self, "safetensors/sharded.json")
        var writer = SafetensorsWriter()
        for name in reference.insertionOrder {
            let tensor = try #require(reference.tensors[name])
            writer.add(name, Tensor(shape: tensor.shape, values: TestFiles.floats(tensor.sourceBits)))
        }
        let directory = try TestFiles.scratchDirectory()
        let written = try writer.writeCheckpoint(to: directory.path, maxShardSize: reference.maxShardSize)
        #expect(written == ["model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                            "model-00003-of-00003.safetensors", "model.safetensors.index.json"])
        for shard in written.dropLast() {
            let ours = try Data(contentsOf: directory.appendingPathComponent(shard))
            let theirs = try Data(contentsOf: URL(fileURLWithPath: TestFiles.fixture("safetensors/sharded/\(shard)")))
            #expect(ours == theirs, "\(shard)")
        }
        let ourIndex = try ShardIndex(contentsOf: directory.appendingPathComponent(ShardIndex.fileName).path)
        let theirIndex = try ShardIndex(contentsOf: indexPath)
        #expect(ourIndex == theirIndex)
        #expect(ourIndex.totalSize == 600)
        let text = try String(contentsOf: directory.appendingPathComponent(ShardIndex.fileName), encoding: .utf8)
        #expect(text.hasPrefix("{\n  \"metadata\": {\n    \"total_parameters\": 150,\n    \"total_size\": 600\n  },"))
        #expect(text.hasSuffix("}\n"))

        if let keep = ProcessInfo.processInfo.environment["PTQLAB_KEEP_WRITER_OUTPUT"] {
            // Development hook: leave a checkpoint for checking with PyPI safetensors / transformers.
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(at: directory, to: URL(fileURLWithPath: keep))
        }
    }

    @Test func writesOneFileWhenEverythingFitsAndClearsStaleShards() throws {
        let directory = try TestFiles.scratchDirectory()
        var writer = SafetensorsWriter()
        writer.add("a", Tensor(shape: [4], values: [1, 2, 3, 4]), as: .bf16)
        writer.add("b", Tensor(shape: [2], values: [5, 6]))
        #expect(try writer.writeCheckpoint(to: directory.path, maxShardSize: 8) ==
            ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", ShardIndex.fileName])
        let sharded = try ShardedCheckpoint(indexPath: directory.appendingPathComponent(ShardIndex.fileName).path)
        #expect(sharded.tensorNames == ["a", "b"])
        #expect(try sharded.loadFloat32("b").array == [5, 6])

        // Rewriting the directory unsharded removes the old shards and index.
        try TestFiles.write("keep me", to: directory.appendingPathComponent("notes.txt"))
        #expect(try writer.writeCheckpoint(to: directory.path) == ["model.safetensors"])
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(left == ["model.safetensors", "notes.txt"])
        let model = try SafetensorsFile(path: directory.appendingPathComponent("model.safetensors").path)
        #expect(model.tensorNames == ["b", "a"])
    }

    @Test func plannerPutsOversizedTensorsAlone() {
        let sizes = [3, 3, 10, 2, 4, 1]
        let entries = sizes.enumerated().map { i, n in
            SafetensorsWriter.Entry("t\(i)", Tensor(zeros: [n]))
        }
        let plan = SafetensorsWriter.planShards(entries, maxShardSize: 28).map { $0.map(\.name) }
        #expect(plan == [["t2"], ["t0", "t1"], ["t3", "t4", "t5"]])
        #expect(SafetensorsWriter.shardFileName(7, of: 123) == "model-00007-of-00123.safetensors")
        #expect(SafetensorsWriter.isShardFileName("model-00007-of-00123.safetensors"))
        #expect(!SafetensorsWriter.isShardFileName("model-0007-of-00123.safetensors"))
        #expect(!SafetensorsWriter.isShardFileName("model-00007-of-00123.safetensors.bak"))
        #expect(!SafetensorsWriter.isShardFileName("model-00007-xx-00123.safetensors"))
    }

    @Test func missingShardFileNamesIndexAndShard() throws {
        let directory = try copyOfFixture()
        try FileManager.default.removeItem(at: directory.appendingPathComponent("model-00002-of-00003.safetensors"))
        let index = directory.appendingPathComponent(ShardIndex.fileName).path
        let error = TestFiles.formatError { _ = try ShardedCheckpoint(indexPath: index) }
        #expect(error?.file == index)
        #expect(error?.field == "model-00002-of-00003.safetensors")
        #expect(error?.message.contains("missing") == true)
    }

    @Test func tensorListedInIndexButAbsentFromShard() throws {
        let directory = try copyOfFixture()
        let indexURL = directory.appendingPathComponent(ShardIndex.fileName)
        let text = try String(contentsOf: indexURL, encoding: .utf8).replacingOccurrences(
            of: "\"weight_map\": {", with: "\"weight_map\": {\n    \"lm_head.weight\": \"model-00001-of-00003.safetensors\",")
        try TestFiles.write(text, to: indexURL)
        let error = TestFiles.formatError { _ = try ShardedCheckpoint(indexPath: indexURL.path) }
        #expect(error?.file == directory.appendingPathComponent("model-00001-of-00003.safetensors").path)
        #expect(error?.field == "lm_head.weight")
        #expect(error?.message.contains("absent") == true)
    }

    @Test func tensorsMissingFromTheIndexAreIgnored() throws {
        let directory = try copyOfFixture()
        let indexURL = directory.appendingPathComponent(ShardIndex.fileName)
        try TestFiles.write("""
            {"metadata": {"total_size": 1.5e2, "format": "pt"},
             "weight_map": {"model.norm.weight": "model-00003-of-00003.safetensors"}}
            """, to: indexURL)
        let checkpoint = try ShardedCheckpoint(indexPath: indexURL.path)
        #expect(checkpoint.tensorNames == ["model.norm.weight"])
        #expect(!checkpoint.contains("model.embed_tokens.weight"))
    }

    @Test(arguments: [
        ("not json", "JSON"),
        ("{\"metadata\": {}}", "weight_map"),
        ("{\"weight_map\": {\"a\": 3}}", "weight_map.a"),
        ("{\"weight_map\": []}", "weight_map"),
        ("{\"weight_map\": {}}", "weight_map"),
        ("{\"weight_map\": {\"a\": \"../outside.safetensors\"}}", "weight_map.a"),
        ("{\"weight_map\": {\"a\": \"/abs/x.safetensors\"}}", "weight_map.a"),
    ])
    func malformedIndex(text: String, field: String) throws {
        let url = try TestFiles.scratchDirectory().appendingPathComponent(ShardIndex.fileName)
        try TestFiles.write(text, to: url)
        let error = TestFiles.formatError { _ = try ShardedCheckpoint(indexPath: url.path) }
        #expect(error?.file == url.path)
        #expect(error?.field == field)
    }

    @Test func severalFilesWithoutIndex() throws {
        let directory = try TestFiles.scratchDirectory()
        var first = SafetensorsWriter(), second = SafetensorsWriter()
        first.add("x", Tensor(shape: [1], values: [1]))
        second.add("y", Tensor(shape: [2], values: [2, 3]), as: .f16)
        try first.write(to: directory.appendingPathComponent("a.safetensors").path)
        try second.write(to: directory.appendingPathComponent("b.safetensors").path)
        let paths = ["a", "b"].map { directory.appendingPathComponent("\($0).safetensors").path }
        let checkpoint = try ShardedCheckpoint(files: paths, sourcePath: directory.path)
        #expect(checkpoint.tensorNames == ["x", "y"])
        #expect(try checkpoint.loadFloat32("y").array == [2, 3])

        try first.write(to: paths[1])
        let error = TestFiles.formatError { _ = try ShardedCheckpoint(files: paths, sourcePath: directory.path) }
        #expect(error?.file == paths[1])
        #expect(error?.field == "x")
        #expect(TestFiles.formatError { _ = try ShardedCheckpoint(files: [], sourcePath: directory.path) } != nil)
    }

    private func copyOfFixture() throws -> URL {
        let directory = try TestFiles.scratchDirectory().appendingPathComponent("sharded")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: TestFiles.fixture("safetensors/sharded")), to: directory)
        return directory
    }
}
