import ModelFormats

/// `safetensors-index`: `model.safetensors.index.json` of a sharded checkpoint (`ShardIndex`),
/// then `ShardedCheckpoint` over it, beside two small valid shards (`model-00001-of-00002…`,
/// `model-00002-of-00002…`, tensors `a` F32 [2] / `b` F16 [2, 2]) and every tensor loaded.
enum SafetensorsIndexTarget {
    static let target = FuzzTarget(
        name: "safetensors-index", summary: "ShardIndex (index JSON) and ShardedCheckpoint over two small shards"
    ) { input in
        let directory = preparedDirectory()
        let path = Scratch.write(input.bytes, to: "sharded/" + ShardIndex.fileName)
        guard let index = ErrorCheck.attempt("ShardIndex", { try ShardIndex(contentsOf: path) }) else { return }
        _ = (index.shardFiles, index.totalSize)
        guard let checkpoint = ErrorCheck.attempt("ShardedCheckpoint", { try ShardedCheckpoint(indexPath: path) }) else { return }
        for name in checkpoint.tensorNames {
            _ = (checkpoint.shape(of: name), checkpoint.storageType(of: name))
            ErrorCheck.attempt("ShardedCheckpoint.loadFloat32") { try checkpoint.loadFloat32(name) }
        }
        _ = directory
    }

    nonisolated(unsafe) private static var shardsWritten = false

    /// The scratch directory with the two shards, written once per process.
    private static func preparedDirectory() -> String {
        let directory = Scratch.subdirectory("sharded")
        if !shardsWritten {
            Scratch.write(shard(name: "a", dtype: "F32", shape: [2], dataBytes: 8), to: "sharded/model-00001-of-00002.safetensors")
            Scratch.write(shard(name: "b", dtype: "F16", shape: [2, 2], dataBytes: 8), to: "sharded/model-00002-of-00002.safetensors")
            shardsWritten = true
        }
        return directory
    }

    /// A one-tensor safetensors file whose data bytes are 0x3C (finite in f32 and f16).
    static func shard(name: String, dtype: String, shape: [Int], dataBytes: Int) -> [UInt8] {
        let shapeText = shape.map(String.init).joined(separator: ",")
        let header = Array("{\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":[\(shapeText)],\"data_offsets\":[0,\(dataBytes)]}}".utf8)
        var length = UInt64(header.count).littleEndian
        let lengthBytes = withUnsafeBytes(of: &length) { Array($0) }
        return lengthBytes + header + [UInt8](repeating: 0x3C, count: dataBytes)
    }
}
