import Foundation
import TensorCore

/// Several safetensors files seen as one `TensorSource`: either a sharded Hugging Face checkpoint
/// (`model.safetensors.index.json` + the shards its `weight_map` names) or a plain list of files
/// whose tensor names do not repeat. Every shard is opened and checked up front.
public final class ShardedCheckpoint: TensorSource {
    /// The index file, or the directory of the listed files.
    public let sourcePath: String
    /// Shard by shard (in file-name order), each in file order.
    public let tensorNames: [String]
    public let shards: [SafetensorsFile]
    private let shardOfTensor: [String: Int]

    /// Opens the shards of an index. A tensor a shard holds but the index does not list is ignored,
    /// as transformers does.
    public init(indexPath: String) throws {
        let index = try ShardIndex(contentsOf: indexPath)
        guard !index.weightMap.isEmpty else {
            throw FormatError(file: indexPath, field: "weight_map", "lists no tensors")
        }
        let directory = URL(fileURLWithPath: indexPath).deletingLastPathComponent()
        var shards: [SafetensorsFile] = []
        var names: [String] = []
        var shardOfTensor: [String: Int] = [:]
        for shardName in index.shardFiles {
            let shardPath = directory.appendingPathComponent(shardName).path
            guard FileManager.default.fileExists(atPath: shardPath) else {
                throw FormatError(file: indexPath, field: MessageExcerpt.of(shardName), "shard file is missing (looked for \(MessageExcerpt.of(shardPath)))")
            }
            let shard = try SafetensorsFile(path: shardPath)
            let listed = index.weightMap.filter { $0.value == shardName }.keys
            for name in listed where !shard.contains(name) {
                throw FormatError(file: shardPath, field: MessageExcerpt.of(name),
                                  "listed in \(ShardIndex.fileName) but absent from this shard")
            }
            for name in shard.tensorNames where index.weightMap[name] == shardName {
                names.append(name)
                shardOfTensor[name] = shards.count
            }
            shards.append(shard)
        }
        sourcePath = indexPath
        tensorNames = names
        self.shards = shards
        self.shardOfTensor = shardOfTensor
    }

    /// Opens several safetensors files as one source; a name found in two files is an error.
    public init(files: [String], sourcePath: String) throws {
        guard !files.isEmpty else {
            throw FormatError(file: sourcePath, field: "*.safetensors", "no safetensors files given")
        }
        var shards: [SafetensorsFile] = []
        var names: [String] = []
        var shardOfTensor: [String: Int] = [:]
        for path in files {
            let shard = try SafetensorsFile(path: path)
            for name in shard.tensorNames {
                if let earlier = shardOfTensor[name] {
                    throw FormatError(file: path, field: name, "tensor also in \(shards[earlier].sourcePath)")
                }
                names.append(name)
                shardOfTensor[name] = shards.count
            }
            shards.append(shard)
        }
        self.sourcePath = sourcePath
        tensorNames = names
        self.shards = shards
        self.shardOfTensor = shardOfTensor
    }

    /// The shard holding a tensor.
    public func shard(of name: String) -> SafetensorsFile? {
        shardOfTensor[name].map { shards[$0] }
    }

    public func shape(of name: String) -> [Int]? { shard(of: name)?.shape(of: name) }

    public func storageType(of name: String) -> String? { shard(of: name)?.storageType(of: name) }

    public func loadFloat32(_ name: String) throws -> Tensor {
        guard let shard = shard(of: name) else {
            throw FormatError(file: sourcePath, field: name, "no tensor with this name")
        }
        return try shard.loadFloat32(name)
    }

    public func loadCompressed(_ name: String) throws -> CompressedMatrix? {
        guard let shard = shard(of: name) else {
            throw FormatError(file: sourcePath, field: name, "no tensor with this name")
        }
        return try shard.loadCompressed(name)
    }
}
