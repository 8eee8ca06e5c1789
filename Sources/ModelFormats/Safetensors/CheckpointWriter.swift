import Foundation
import TensorCore

extension SafetensorsWriter {
    /// Writes a Hugging Face checkpoint into `directory` (created if needed): `model.safetensors`,
    /// or, when `maxShardSize` (bytes of tensor data) splits the tensors, shards
    /// `model-00001-of-0000N.safetensors` plus `model.safetensors.index.json`. Tensors go to shards
    /// in the order they were added, as huggingface_hub splits a state dict; a tensor larger than
    /// the limit gets a shard of its own. Returns the file names written.
    @discardableResult
    public func writeCheckpoint(to directory: String, maxShardSize: Int? = nil) throws -> [String] {
        let directoryURL = URL(fileURLWithPath: directory)
        do {
            try FileManager.default.createDirectory(at: directoryURL, withIntermediateDirectories: true)
        } catch {
            throw FormatError(file: directory, field: "directory", "cannot create: \(error.localizedDescription)")
        }
        try Self.checkUniqueNames(entries, path: directory)
        try Self.removeCheckpointFiles(in: directoryURL)
        let shards = Self.planShards(entries, maxShardSize: maxShardSize ?? Int.max)
        if shards.count <= 1 {
            let name = "model.safetensors"
            try Self.write(entries, metadata: metadata, to: directoryURL.appendingPathComponent(name).path)
            return [name]
        }
        var written: [String] = []
        var weightMap: [String: String] = [:]
        for (i, shard) in shards.enumerated() {
            let name = Self.shardFileName(i + 1, of: shards.count)
            try Self.write(shard, metadata: metadata, to: directoryURL.appendingPathComponent(name).path)
            for entry in shard { weightMap[entry.name] = name }
            written.append(name)
        }
        let index = ShardIndex(totalSize: entries.reduce(0) { $0 + $1.byteCount }, weightMap: weightMap)
        let indexPath = directoryURL.appendingPathComponent(ShardIndex.fileName).path
        let text = index.jsonText(totalParameters: entries.reduce(0) { $0 + $1.tensor.count })
        let file = try SafetensorsOutputFile(path: indexPath)
        try file.write(Array(text.utf8))
        try file.close()
        written.append(ShardIndex.fileName)
        return written
    }

    /// Removes the weights of an earlier checkpoint (`model.safetensors`, numbered shards, the
    /// index), as huggingface_hub does, so a loader never mixes old and new files.
    static func removeCheckpointFiles(in directory: URL) throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names where name == "model.safetensors" || name == ShardIndex.fileName || isShardFileName(name) {
            do {
                try FileManager.default.removeItem(at: directory.appendingPathComponent(name))
            } catch {
                throw FormatError(file: directory.appendingPathComponent(name).path, field: "file",
                                  "cannot remove the earlier checkpoint's file: \(error.localizedDescription)")
            }
        }
    }

    /// `model-NNNNN-of-NNNNN.safetensors`.
    static func isShardFileName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        let prefix = Array("model-".utf8), middle = Array("-of-".utf8), suffix = Array(".safetensors".utf8)
        guard bytes.count == prefix.count + 5 + middle.count + 5 + suffix.count,
              bytes.starts(with: prefix), bytes.reversed().starts(with: suffix.reversed()) else { return false }
        let first = bytes[prefix.count ..< prefix.count + 5]
        let separator = bytes[prefix.count + 5 ..< prefix.count + 5 + middle.count]
        let second = bytes[prefix.count + 5 + middle.count ..< prefix.count + 10 + middle.count]
        let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        return first.allSatisfy(isDigit) && Array(separator) == middle && second.allSatisfy(isDigit)
    }

    /// huggingface_hub's `split_state_dict_into_shards_factory`: fill the current shard until the
    /// next tensor would exceed the limit; an oversized tensor is emitted alone at once.
    static func planShards(_ entries: [Entry], maxShardSize: Int) -> [[Entry]] {
        var shards: [[Entry]] = []
        var current: [Entry] = []
        var currentSize = 0
        for entry in entries {
            let size = entry.byteCount
            if size > maxShardSize {
                shards.append([entry])
                continue
            }
            if currentSize + size > maxShardSize {
                shards.append(current)
                current = []
                currentSize = 0
            }
            current.append(entry)
            currentSize += size
        }
        if !current.isEmpty { shards.append(current) }
        return shards
    }

    static func shardFileName(_ number: Int, of total: Int) -> String {
        func fiveDigits(_ n: Int) -> String {
            let digits = String(n)
            return String(repeating: "0", count: max(0, 5 - digits.count)) + digits
        }
        return "model-\(fiveDigits(number))-of-\(fiveDigits(total)).safetensors"
    }
}
